# Writes add_relu.onnx (z = Relu(x + y), f32[2,3], opset 17) by hand-encoding the protobuf, so it needs no onnx
# package; the build runs it at configure time (tests/CMakeLists.txt: KILN_ADD_RELU_ONNX), tests that need it run it.
# Usage: python3 make_add_relu_onnx.py add_relu.onnx
import struct,sys
def varint(n):
    out=b''
    while True:
        b=n&0x7f; n>>=7
        if n: out+=bytes([b|0x80])
        else: out+=bytes([b]); return out
def fld(num, wt, payload):
    key=varint((num<<3)|wt)
    if wt==0: return key+varint(payload)
    return key+varint(len(payload))+payload
def s(num, text): return fld(num,2,text.encode() if isinstance(text,str) else text)
def vi(name, dims, et=1):
    shape=b''.join(fld(1,2,fld(1,0,d)) for d in dims)
    tt=fld(1,0,et)+fld(2,2,shape)
    return s(1,name)+fld(2,2,fld(1,2,tt))
def node(op, ins, outs, name):
    return b''.join(s(1,i) for i in ins)+b''.join(s(2,o) for o in outs)+s(3,name)+s(4,op)
g = fld(1,2,node("Add",["x","y"],["t"],"add_0")) + fld(1,2,node("Relu",["t"],["z"],"relu_0")) + s(2,"add_relu")
g += fld(11,2,vi("x",[2,3])) + fld(11,2,vi("y",[2,3])) + fld(12,2,vi("z",[2,3]))
m = fld(1,0,8) + s(2,"kiln-tests") + fld(7,2,g) + fld(8,2,s(1,"")+fld(2,0,17))
open(sys.argv[1],'wb').write(m)
