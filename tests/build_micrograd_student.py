"""A student's answers to the build-your-own track, right and with each classic mistake.

``Value`` is what a student ends notebook 3 with (written the lecture's way, not ours); each
``*_bug`` class below overrides one method with a mistake that a checker must name.  The
networks and the training step of notebooks 4 and 5 follow.
"""

import math
import random


class Value:
    def __init__(self, data, parents=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads

    def __repr__(self):
        return f"Value(data={self.data})"

    def _lift(self, other):
        return other if isinstance(other, type(self)) else type(self)(other)

    def __add__(self, other):  # self + other
        other = self._lift(other)
        return type(self)(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):  # self * other
        other = self._lift(other)
        return type(self)(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, n):  # self ** n, n a number
        return type(self)(self.data ** n, (self,), (n * self.data ** (n - 1),))

    def __radd__(self, other):  # other + self
        return self + other

    def __rmul__(self, other):  # other * self
        return self * other

    def __neg__(self):  # -self
        return self * -1

    def __sub__(self, other):  # self - other
        return self + (-other)

    def __rsub__(self, other):  # other - self
        return other + (-self)

    def __truediv__(self, other):  # self / other
        return self * other ** -1

    def __rtruediv__(self, other):  # other / self
        return other * self ** -1

    def tanh(self):
        t = math.tanh(self.data)
        return type(self)(t, (self,), (1 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return type(self)(e, (self,), (e,))

    def backward(self):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for p in v.parents:
                    build(p)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            for p, d in zip(v.parents, v.local_grads):
                p.grad += d * v.grad


def tanh_from_exp(x):
    e = (2 * x).exp()
    return (e - 1) / (e + 1)


class Neuron:
    def __init__(self, nin, rng, nonlin=True):
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return z.tanh() if self.nonlin else z

    def parameters(self):
        return [*self.w, self.b]


class Layer:
    def __init__(self, nin, nout, rng, nonlin=True):
        self.neurons = [Neuron(nin, rng, nonlin) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts, seed=0):
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        self.layers = [Layer(sizes[i], sizes[i + 1], rng, nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def loss_of(mlp, X, Y):
    scores = [mlp(x) for x in X]
    return sum(((s - y) ** 2 for s, y in zip(scores, Y)), Value(0.0)) * (1.0 / len(Y))


def step(mlp, X, Y, lr):
    loss = loss_of(mlp, X, Y)
    for p in mlp.parameters():
        p.grad = 0.0
    loss.backward()
    for p in mlp.parameters():
        p.data -= lr * p.grad
    return loss.data


def train(X, Y, seed=0):
    mlp = MLP(2, [16, 16, 1], seed=seed)
    for _ in range(100):
        step(mlp, X, Y, lr=0.1)
    return mlp
