"""The README's example: build an expression, backpropagate, check by finite differences."""

from micrograd_like import Value, gradcheck

x = Value(2.0, label="x")
w = Value(-3.0, label="w")
b = Value(6.881373587, label="b")
y = (x * w + b).tanh()
y.backward()
print(f"y = tanh(x·w + b) = {y.data:.4f}")
print(f"dy/dx = {x.grad:.4f}, dy/dw = {w.grad:.4f}, dy/db = {b.grad:.4f}")
print(gradcheck(lambda x, w, b: (x * w + b).tanh(), [2.0, -3.0, 6.881373587]))
