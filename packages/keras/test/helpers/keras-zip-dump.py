# Reads a .keras archive with Python's zipfile and json (and h5py for model.weights.h5, when
# installed) and prints what it finds as JSON.
import hashlib, io, json, sys, zipfile

out = {}
with zipfile.ZipFile(sys.argv[1]) as zf:
    out['testzip'] = zf.testzip()
    out['names'] = zf.namelist()
    out['compress_types'] = sorted({i.compress_type for i in zf.infolist()})
    out['metadata'] = json.loads(zf.read('metadata.json'))
    out['config'] = json.loads(zf.read('config.json'))
    try:
        import h5py, numpy as np
    except ImportError:
        h5py = None
    if h5py is not None:
        weights = {}
        with h5py.File(io.BytesIO(zf.read('model.weights.h5')), 'r') as f:
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    arr = obj[()]
                    weights[name] = {'dtype': str(obj.dtype), 'shape': list(obj.shape),
                                     'sha256': hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()}
                else:
                    weights[name + '/'] = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in obj.attrs.items()}
            f.visititems(visit)
            weights['/'] = dict(f.attrs)
        out['weights'] = weights
print(json.dumps(out))
