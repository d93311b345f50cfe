// Independent check of our table files: open one with LevelDB's own table
// reader (bytewise comparator, paranoid checks, checksum verification on every
// block read) and print every entry.
//
// Output: one line per entry "<key hex> <value length> <value hex>", then
// "count <n>". Exit status 1 (message on stderr) if LevelDB rejects the file.
//
// Build: g++ -std=c++17 -O1 table-dump.cc -o table-dump -lleveldb -lsnappy
#include <cstdio>
#include <memory>
#include <string>

#include "leveldb/comparator.h"
#include "leveldb/env.h"
#include "leveldb/iterator.h"
#include "leveldb/options.h"
#include "leveldb/status.h"
#include "leveldb/table.h"

static void PrintHex(const leveldb::Slice& s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  if (out.empty()) out = "-";  // the header entry has an empty key
  fputs(out.c_str(), stdout);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s TABLE_FILE\n", argv[0]);
    return 2;
  }
  leveldb::Env* env = leveldb::Env::Default();
  uint64_t size = 0;
  leveldb::Status s = env->GetFileSize(argv[1], &size);
  if (!s.ok()) {
    fprintf(stderr, "GetFileSize: %s\n", s.ToString().c_str());
    return 1;
  }
  leveldb::RandomAccessFile* file = nullptr;
  s = env->NewRandomAccessFile(argv[1], &file);
  if (!s.ok()) {
    fprintf(stderr, "NewRandomAccessFile: %s\n", s.ToString().c_str());
    return 1;
  }
  std::unique_ptr<leveldb::RandomAccessFile> file_owner(file);

  leveldb::Options options;
  options.comparator = leveldb::BytewiseComparator();
  options.paranoid_checks = true;  // Table::Open verifies the index block checksum
  leveldb::Table* table = nullptr;
  s = leveldb::Table::Open(options, file, size, &table);
  if (!s.ok()) {
    fprintf(stderr, "Table::Open: %s\n", s.ToString().c_str());
    return 1;
  }
  std::unique_ptr<leveldb::Table> table_owner(table);

  leveldb::ReadOptions read_options;
  read_options.verify_checksums = true;  // every data block's trailer crc
  read_options.fill_cache = false;
  std::unique_ptr<leveldb::Iterator> it(table->NewIterator(read_options));
  long count = 0;
  std::string prev;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    leveldb::Slice k = it->key();
    if (count > 0 && options.comparator->Compare(k, prev) <= 0) {
      fprintf(stderr, "keys out of order at entry %ld\n", count);
      return 1;
    }
    prev.assign(k.data(), k.size());
    PrintHex(k);
    printf(" %zu ", it->value().size());
    PrintHex(it->value());
    fputc('\n', stdout);
    count++;
  }
  if (!it->status().ok()) {
    fprintf(stderr, "iteration: %s\n", it->status().ToString().c_str());
    return 1;
  }
  printf("count %ld\n", count);
  return 0;
}
