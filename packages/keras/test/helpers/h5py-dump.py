# Dumps an HDF5 file as h5py reads it, as JSON: path -> kind, attributes (value and storage type),
# dataset dtype, shape and the SHA-256 of its little-endian bytes.
import hashlib, json, sys
import h5py
import numpy as np

def attr_type(obj, name):
    t = obj.attrs.get_id(name).get_type()
    if isinstance(t, h5py.h5t.TypeStringID):
        return 'vlen-str' if t.is_variable_str() else 'fixed-str'
    return str(obj.attrs[name].dtype)

def attr_value(v):
    if isinstance(v, bytes):
        return v.decode('utf8')
    if isinstance(v, np.ndarray):
        return [attr_value(x) for x in v.tolist()]
    if isinstance(v, list):
        return [attr_value(x) for x in v]
    if isinstance(v, (np.generic,)):
        return v.item()
    return v

out = {}
def visit(name, obj):
    node = {'attrs': {k: {'value': attr_value(obj.attrs[k]), 'type': attr_type(obj, k)} for k in obj.attrs}}
    if isinstance(obj, h5py.Dataset):
        arr = obj[()]
        node.update(kind='dataset', dtype=str(obj.dtype), shape=list(obj.shape),
                    sha256=hashlib.sha256(np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder('<')).tobytes()).hexdigest())
    else:
        node['kind'] = 'group'
    out['/' + name if name else '/'] = node

with h5py.File(sys.argv[1], 'r') as f:
    visit('', f)
    f.visititems(visit)
print(json.dumps(out))
