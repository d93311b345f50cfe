#!/usr/bin/env bash
# Checks the schema files under proto/ against the real TensorFlow fixtures.
#
# For every fixture directory NAME in $SHARED/fixtures/tf/:
#   1. protoc --decode=tensorflow.SavedModel of NAME/saved_model.pb must be
#      identical to NAME.pbtxt (made the same way with TF 2.9's .proto files).
#      Only exception: our schema also knows SignatureDef.defaults (= 4, newer
#      than 2.9), which the 2.9 reference prints as an unknown field "4 {...}".
#      For a fixture that has such entries, the output must be identical once
#      that one field is hidden from our schema, and with the field visible
#      the output may differ from the reference only in those entries.
#   2. Checkpoint, using the facts listed in NAME.variables.txt (made by an
#      independent parser): the header bytes must decode as
#      tensorflow.BundleHeaderProto; every entry re-encoded as
#      tensorflow.BundleEntryProto must occur byte for byte in
#      variables.index (only where the index blocks are uncompressed); the
#      _CHECKPOINTABLE_OBJECT_GRAPH value, cut out of the data file, must decode
#      as tensorflow.TrackableObjectGraph to the text given there.
# Then fingerprint.pb, keras_metadata.pb and (tf-more) debug/saved_model_debug_info.pb files are decoded with their
# messages (no field may come out as an unknown number), and a few encodings
# that the fixtures do not exercise are compared with bytes fixed by
# docs/savedmodel-format.md section 2 (sint64, fixed32, packed, oneof, maps).
#
# Needs bash, coreutils, awk, diff and protoc (with google/protobuf/*.proto
# in /usr/include or $PROTOC_INCLUDE).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
SHARED=${SAVEDMODEL_SHARED:-"$(dirname "$repo")/shared"}
PROTO="$repo/proto"
PROTOC=${PROTOC:-protoc}
PROTOC_INCLUDE=${PROTOC_INCLUDE:-/usr/include}

die() {
  echo "check-protos: FAIL: $*" >&2
  exit 1
}

[[ -d "$SHARED" ]] || die "shared folder not found: $SHARED (set SAVEDMODEL_SHARED)"
FIX="$SHARED/fixtures/tf"
[[ -d "$FIX" ]] || die "fixture folder not found: $FIX"
command -v "$PROTOC" >/dev/null || die "protoc not found (set PROTOC)"
[[ -f "$PROTOC_INCLUDE/google/protobuf/wrappers.proto" ]] ||
  die "google/protobuf/wrappers.proto not found under $PROTOC_INCLUDE (set PROTOC_INCLUDE)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# decode INCLUDE_ROOT MESSAGE FILE.proto < input > output
decode() {
  "$PROTOC" -I"$1" -I"$PROTOC_INCLUDE" --decode="$2" "$3"
}

# Lines that protoc prints for fields the schema does not know ("7: ...", "4 {").
unknown_lines() {
  grep -cE '^ *[0-9]+(: | \{$)' "$1" || true
}

# 0. Every schema file compiles, without warnings.
(
  cd "$PROTO"
  shopt -s nullglob
  files=(tensorflow/*.proto keras/*.proto)
  [[ ${#files[@]} -gt 0 ]] || die "no .proto files under $PROTO"
  if ! "$PROTOC" -I. -I"$PROTOC_INCLUDE" --descriptor_set_out="$tmp/all.pb" \
    "${files[@]}" 2>"$tmp/protoc.err"; then
    cat "$tmp/protoc.err" >&2
    die "protoc could not compile proto/"
  fi
  if [[ -s "$tmp/protoc.err" ]]; then
    cat "$tmp/protoc.err" >&2
    die "protoc printed warnings for proto/"
  fi
)

# A copy of the schema without SignatureDef.defaults (field 4, newer than 2.9),
# to compare against references made with TF 2.9's schema.
cp -R "$PROTO" "$tmp/proto29"
mg="$tmp/proto29/tensorflow/meta_graph.proto"
defaults_re='^ *map<string, *TensorProto> +defaults *= *4;'
[[ $(grep -cE "$defaults_re" "$mg") == 1 ]] ||
  die "expected exactly one 'map<string, TensorProto> defaults = 4;' in proto/tensorflow/meta_graph.proto"
sed -E -i "/$defaults_re/d" "$mg"
# StructuredValue tensor_value = 55 / numpy_value = 56 are newer than 2.9 too.
struct_re='^ *TensorProto +(tensor_value *= *55|numpy_value *= *56);'
[[ $(grep -cE "$struct_re" "$PROTO/tensorflow/struct.proto") == 2 ]] ||
  die "expected tensor_value = 55 and numpy_value = 56 in proto/tensorflow/struct.proto"
sed -E -i "/$struct_re/d" "$tmp/proto29/tensorflow/struct.proto"
# Variant with only the StructuredValue fields removed (defaults kept), for the check below.
cp -R "$PROTO" "$tmp/proto_nostruct"
sed -E -i "/$struct_re/d" "$tmp/proto_nostruct/tensorflow/struct.proto"

# Outermost unknown fields as "parent.field xN" (nested unknowns not listed).
outer_unknown() {
  awk '
    function indent(s) { match(s, /^ */); return RLENGTH }
    inside && indent($0) <= base && $0 ~ /^ *}$/ { inside = 0; next }
    inside { next }
    /^ *[a-z_][a-z0-9_]* \{$/ { d = indent($0) / 2; name[d] = $1 }
    /^ *[0-9]+(: | \{$)/ {
      d = indent($0) / 2; f = $1; sub(/:$/, "", f)
      key = (d > 0 ? name[d - 1] "." : "") f; n[key]++
      if ($0 ~ /\{$/) { inside = 1; base = indent($0) }
    }
    END { for (k in n) printf "%s%s x%d", (c++ ? ", " : ""), k, n[k]; print "" }
  ' "$1"
}

# Drop every block that starts with the exact line $1 (through its closing brace).
strip_blocks() {
  awk -v hdr="$1" '
    skip && $0 == end { skip = 0; next }
    skip { next }
    $0 == hdr { skip = 1; match($0, /^ */); end = substr($0, 1, RLENGTH) "}"; next }
    { print }
  ' "$2"
}

# hex_of: stdin as lower-case hex, no spaces.
hex_of() {
  od -An -v -tx1 | tr -d ' \n'
}

# encode_hex MESSAGE FILE.proto TEXT: TEXT encoded with our schema, as hex.
encode_hex() {
  printf '%s' "$3" | "$PROTOC" -I"$PROTO" -I"$PROTOC_INCLUDE" --encode="$1" "$2" | hex_of
}

# varint_len N: bytes needed for N as a protobuf varint.
varint_len() {
  local n=$1 len=1
  while ((n >= 128)); do
    n=$((n >> 7))
    len=$((len + 1))
  done
  echo "$len"
}

check_checkpoint() {
  local name=$1 vars="$FIX/$1.variables.txt"
  local line offset size shard strlen data start
  [[ -f "$vars" ]] || { echo "  note: no $name.variables.txt; checkpoint object graph not checked"; return; }

  # Bundle header: raw bytes are listed in the comment.
  local hdr_hex num_shards
  hdr_hex=$(sed -n 's/^# header entry.* raw=\([0-9a-f]*\)$/\1/p' "$vars")
  if [[ -n "$hdr_hex" ]]; then
    num_shards=$(sed -n 's/^# header entry.* num_shards=\([0-9]*\).*/\1/p' "$vars")
    # shellcheck disable=SC2059
    printf "$(sed 's/../\\x&/g' <<<"$hdr_hex")" >"$tmp/header.bin"
    decode "$PROTO" tensorflow.BundleHeaderProto tensorflow/tensor_bundle.proto \
      <"$tmp/header.bin" >"$tmp/header.txt" || die "$name: bundle header does not decode"
    [[ $(unknown_lines "$tmp/header.txt") == 0 ]] || die "$name: unknown fields in bundle header"
    grep -qx "num_shards: $num_shards" "$tmp/header.txt" ||
      die "$name: bundle header num_shards differs from $num_shards"
    grep -qx '  producer: 1' "$tmp/header.txt" || die "$name: bundle header version differs"
  fi

  # Index entries: re-encode each listed entry; it must occur in the index
  # file (values are stored verbatim in uncompressed blocks).
  local blocks index_hex key dtype shape crc rest text dims d n hex n_entries=0
  blocks=$(sed -n 's/^# blocks[^:]*: //p' "$vars")
  if [[ -n "$blocks" && -f "$FIX/$name/variables/variables.index" ]]; then
    if grep -qE ', [1-9][0-9]*, (True|False)\)' <<<"$blocks"; then
      echo "  note: index has compressed blocks; BundleEntryProto bytes not compared"
    else
      index_hex=$(hex_of <"$FIX/$name/variables/variables.index")
      while IFS=$'\t' read -r key dtype shape shard offset size crc rest; do
        dims=""
        shape=${shape#[}
        shape=${shape%]}
        IFS=', ' read -r -a d <<<"$shape"
        for n in "${d[@]+"${d[@]}"}"; do dims+=" dim { size: $n }"; done
        text="dtype: $dtype shape {$dims } shard_id: $shard offset: $offset size: $size crc32c: $crc"
        hex=$(encode_hex tensorflow.BundleEntryProto tensorflow/tensor_bundle.proto "$text") ||
          die "$name: cannot encode BundleEntryProto for $key"
        [[ "$index_hex" == *"$hex"* ]] ||
          die "$name: BundleEntryProto of '$key' ($hex) not found in variables.index"
        n_entries=$((n_entries + 1))
      done < <(sed -n '/^key\tdtype\tshape/,/^$/p' "$vars" | sed '1d;/^$/d')
      ((n_entries > 0)) || die "$name: no entries listed in $vars"
    fi
  fi

  if ! grep -q '^# _CHECKPOINTABLE_OBJECT_GRAPH decoded as tensorflow.TrackableObjectGraph:' "$vars"; then
    echo "  note: checkpoint has no _CHECKPOINTABLE_OBJECT_GRAPH (TF1 export); object graph not checked"
    return
  fi
  line=$(grep -m1 "^_CHECKPOINTABLE_OBJECT_GRAPH"$'\t' "$vars") ||
    die "$name: no _CHECKPOINTABLE_OBJECT_GRAPH entry line in $vars"
  IFS=$'\t' read -r _ _ _ shard offset size _ <<<"$line"
  strlen=$(sed -n 's/.*strings lengths=\[\([0-9]*\)\].*/\1/p' <<<"$line")
  [[ -n "$strlen" ]] || die "$name: cannot read the string length from $vars"
  # DT_STRING record: varint length, 4-byte masked crc of the lengths, bytes.
  start=$((offset + $(varint_len "$strlen") + 4))
  ((start - offset + strlen == size)) || die "$name: object graph record size does not add up"
  data=$(compgen -G "$FIX/$name/variables/variables.data-$(printf '%05d' "$shard")-of-*" | head -n1) ||
    die "$name: data shard $shard not found"
  tail -c +$((start + 1)) "$data" | head -c "$strlen" >"$tmp/tog.bin"

  decode "$PROTO" tensorflow.TrackableObjectGraph tensorflow/trackable_object_graph.proto \
    <"$tmp/tog.bin" >"$tmp/tog.txt" || die "$name: object graph does not decode"
  sed -n '/^# _CHECKPOINTABLE_OBJECT_GRAPH decoded as/,$p' "$vars" | tail -n +2 |
    sed -E 's/^#   ?//; s/^#$//' >"$tmp/tog.expected"
  if ! diff -u "$tmp/tog.expected" "$tmp/tog.txt" >"$tmp/tog.diff"; then
    head -n 40 "$tmp/tog.diff" >&2
    die "$name: TrackableObjectGraph decode differs from $name.variables.txt"
  fi
}

count=0
for dir in "$FIX"/*/; do
  name=$(basename "$dir")
  pb="$dir/saved_model.pb"
  [[ -f "$pb" ]] || continue
  ref="$FIX/$name.pbtxt"
  [[ -f "$ref" ]] || die "$name: reference $ref missing"
  count=$((count + 1))
  notes=()

  decode "$PROTO" tensorflow.SavedModel tensorflow/saved_model.proto <"$pb" >"$tmp/out.txt" ||
    die "$name: protoc could not decode saved_model.pb"

  if ! cmp -s "$tmp/out.txt" "$ref"; then
    # Same decode without SignatureDef.defaults must match the reference exactly.
    decode "$tmp/proto29" tensorflow.SavedModel tensorflow/saved_model.proto <"$pb" >"$tmp/out29.txt"
    if ! diff -u "$ref" "$tmp/out29.txt" >"$tmp/diff29"; then
      diff -u "$ref" "$tmp/out.txt" | head -n 60 >&2 || true
      die "$name: decode differs from $name.pbtxt"
    fi
    # With the field known, only the SignatureDef "4 {...}" entries may differ:
    # they must come out as as many "defaults {...}" entries, all else equal.
    # (StructuredValue 55/56 hidden here; 55 is checked to decode as tensor_value below.)
    decode "$tmp/proto_nostruct" tensorflow.SavedModel tensorflow/saved_model.proto <"$pb" >"$tmp/out.txt"
    sig_indent='      ' # SignatureDef fields inside meta_graphs > signature_def > value
    n_ours=$(grep -cxF "${sig_indent}defaults {" "$tmp/out.txt" || true)
    n_ref=$(grep -cxF "${sig_indent}4 {" "$ref" || true)
    strip_blocks "${sig_indent}defaults {" "$tmp/out.txt" >"$tmp/a.txt"
    strip_blocks "${sig_indent}4 {" "$ref" >"$tmp/b.txt"
    if [[ "$n_ours" != "$n_ref" || "$n_ours" == 0 ]] || ! cmp -s "$tmp/a.txt" "$tmp/b.txt"; then
      diff -u "$ref" "$tmp/out.txt" | head -n 60 >&2 || true
      die "$name: decode differs from $name.pbtxt beyond SignatureDef.defaults"
    fi
    notes+=("identical to $name.pbtxt with SignatureDef.defaults hidden; with it shown, the $n_ref unknown '4 {...}' SignatureDef field(s) of the reference decode as 'defaults' entries")
  fi
  n_unknown=$(unknown_lines "$tmp/out.txt")
  if [[ "$n_unknown" != 0 ]]; then
    fields=$(outer_unknown "$tmp/out.txt")
    notes+=("unknown to the schema, as in the reference: field(s) $fields")
  fi

  check_checkpoint "$name" >"$tmp/og.notes"
  echo "ok $name"
  for n in "${notes[@]+"${notes[@]}"}"; do echo "  note: $n"; done
  cat "$tmp/og.notes"
done
((count > 0)) || die "no fixtures with saved_model.pb under $FIX"

# Stand-alone files decoded with their own messages.
check_other() {
  local file=$1 msg=$2 schema=$3 raw_top typed_top
  decode "$PROTO" "$msg" "$schema" <"$FIX/$file" >"$tmp/other.txt" ||
    die "$file: does not decode as $msg"
  "$PROTOC" --decode_raw <"$FIX/$file" >"$tmp/other.raw" || die "$file: --decode_raw failed"
  if [[ $(unknown_lines "$tmp/other.txt") != 0 ]]; then
    grep -nE '^ *[0-9]+(: | \{$)' "$tmp/other.txt" | head -n 20 >&2
    die "$file: fields unknown to $msg"
  fi
  # Same number of top-level fields as the raw decode (nothing dropped).
  raw_top=$(grep -cE '^[0-9]+(: | \{$)' "$tmp/other.raw" || true)
  typed_top=$(grep -cE '^[a-z_][a-z0-9_]*(: | \{$)' "$tmp/other.txt" || true)
  [[ "$raw_top" == "$typed_top" ]] ||
    die "$file: $raw_top top-level fields raw but $typed_top decoded"
  echo "ok $file ($msg, $typed_top top-level fields, none unknown)"
}

found=0
for f in "$FIX"/*/fingerprint.pb; do
  [[ -f "$f" ]] || continue
  check_other "${f#"$FIX"/}" tensorflow.FingerprintDef tensorflow/fingerprint.proto
  found=1
done
for f in "$FIX"/*/keras_metadata.pb; do
  [[ -f "$f" ]] || continue
  check_other "${f#"$FIX"/}" third_party.py.keras.protobuf.SavedMetadata keras/saved_metadata.proto
  found=1
done
for f in "$FIX"/../tf-more/*/debug/saved_model_debug_info.pb; do
  [[ -f "$f" ]] || continue
  check_other "${f#"$FIX"/}" tensorflow.GraphDebugInfo tensorflow/graph_debug_info.proto
  found=1
done
((found)) || echo "  note: no fingerprint.pb / keras_metadata.pb / saved_model_debug_info.pb fixtures found"

# Encodings fixed by the format doc (section 2) that the fixtures do not cover.
golden=(
  # message | schema file | text | expected hex
  "tensorflow.StructuredValue|tensorflow/struct.proto|int64_value: -1|6001"
  "tensorflow.StructuredValue|tensorflow/struct.proto|int64_value: 1|6002"
  "tensorflow.StructuredValue|tensorflow/struct.proto|none_value {}|0a00"
  "tensorflow.AttrValue|tensorflow/attr_value.proto|list {}|0a00"
  "tensorflow.AttrValue|tensorflow/attr_value.proto|list { i: 1 i: 2 type: DT_FLOAT }|0a071a020102320101"
  "tensorflow.AttrValue|tensorflow/attr_value.proto|i: 0|1800"
  "tensorflow.TensorInfo|tensorflow/meta_graph.proto|name: \"\" tensor_shape {}|0a001a00"
  "tensorflow.TensorShapeProto|tensorflow/tensor_shape.proto|dim { size: -1 }|120b08ffffffffffffffffff01"
  "tensorflow.TensorSliceProto|tensorflow/tensor_slice.proto|extent { length: 0 }|0a021000"
  "tensorflow.FunctionDef|tensorflow/function.proto|arg_attr { key: 0 value {} } resource_arg_unique_id { key: 1 value: 1 }|3a0408001200420408011001"
  "tensorflow.SavedConcreteFunction|tensorflow/saved_object_graph.proto|bound_inputs: 1 bound_inputs: 2|12020102"
  "tensorflow.TensorProto|tensorflow/tensor.proto|float_val: 1 int64_val: 3 int64_val: 4|2a040000803f52020304"
  "tensorflow.VersionDef|tensorflow/versions.proto|bad_consumers: 1 bad_consumers: 2|1a020102"
  "tensorflow.BundleEntryProto|tensorflow/tensor_bundle.proto|crc32c: 0x5292fc47|3547fc9252"
)
for g in "${golden[@]}"; do
  IFS='|' read -r msg schema text want <<<"$g"
  got=$(encode_hex "$msg" "$schema" "$text") || die "cannot encode $msg { $text }"
  [[ "$got" == "$want" ]] || die "$msg { $text } encodes as $got, expected $want"
done
echo "ok encodings (${#golden[@]} byte-exact cases)"

echo "all proto checks passed ($count SavedModel fixtures)"
