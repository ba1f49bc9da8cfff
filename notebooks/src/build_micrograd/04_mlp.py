# %% [markdown]
# # Build micrograd · 4 · Neuron, Layer, MLP
#
# *Follows A. Karpathy's micrograd lecture: a neural net is a few small classes on top of
# `Value`.*
#
# Your engine is complete: the `Value` below is notebooks 1–3 put together. A **neuron**
# holds one weight per input and a bias, and computes $\tanh(\sum_i w_i x_i + b)$. A
# **layer** is a list of neurons that all read the same inputs. An **MLP** is a list of
# layers, each reading the previous one's outputs.
#
# Three conventions, so that the checker can compare with `nn.MLP` number for number:
#
# * weights start at `rng.uniform(-1, 1)`, drawn neuron by neuron in input order, and every
#   bias starts at `Value(0.0)`; the MLP makes `rng = random.Random(seed)` and passes it
#   down;
# * `parameters()` lists a neuron's weights, then its bias; a layer's and an MLP's list
#   them neuron by neuron, layer by layer;
# * every layer applies tanh except the last (`nonlin=False`), which is linear, so the
#   output, a score, can be any number. A layer with one neuron returns that Value alone.

# %%
import math
import random

from nn.exercises import build_micrograd as ex

SEED = 0


# %%
class Value:
    def __init__(self, data, parents=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads

    def __repr__(self):
        return f"Value(data={self.data})"

    def __add__(self, other):  # self + other
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):  # self * other
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, n):  # self ** n, n a plain number
        return Value(self.data ** n, (self,), (n * self.data ** (n - 1),))

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
        return Value(t, (self,), (1 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def backward(self):
        topo, visited = [], set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for parent in v.parents:
                    build_topo(parent)
                topo.append(v)

        build_topo(self)
        self.grad = 1.0
        for v in reversed(topo):
            for parent, local in zip(v.parents, v.local_grads):
                parent.grad += local * v.grad


# %%
class Neuron:
    def __init__(self, nin, rng, nonlin=True):
        # BEGIN SOLUTION
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin
        # END SOLUTION
        # EXERCISE: ...

    def __call__(self, x):
        # BEGIN SOLUTION
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)  # w·x + b
        return z.tanh() if self.nonlin else z
        # END SOLUTION
        # EXERCISE: ...

    def parameters(self):
        # BEGIN SOLUTION
        return [*self.w, self.b]
        # END SOLUTION
        # EXERCISE: ...


class Layer:
    def __init__(self, nin, nout, rng, nonlin=True):
        # BEGIN SOLUTION
        self.neurons = [Neuron(nin, rng, nonlin) for _ in range(nout)]
        # END SOLUTION
        # EXERCISE: ...

    def __call__(self, x):
        # BEGIN SOLUTION
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out
        # END SOLUTION
        # EXERCISE: ...

    def parameters(self):
        # BEGIN SOLUTION
        return [p for n in self.neurons for p in n.parameters()]
        # END SOLUTION
        # EXERCISE: ...


class MLP:
    def __init__(self, nin, nouts, seed=0):
        # BEGIN SOLUTION
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], rng, nonlin=i != last)
                       for i in range(len(nouts))]
        # END SOLUTION
        # EXERCISE: ...

    def __call__(self, x):
        # BEGIN SOLUTION
        for layer in self.layers:
            x = layer(x)
        return x
        # END SOLUTION
        # EXERCISE: ...

    def parameters(self):
        # BEGIN SOLUTION
        return [p for layer in self.layers for p in layer.parameters()]
        # END SOLUTION
        # EXERCISE: ...


# %% [markdown]
# The checker builds a `Neuron`, a `Layer` and two MLPs from your classes, feeds them
# inputs, runs your `backward()` from the sum of the squared outputs, and compares every
# parameter's gradient with `nn.MLP` on micrograd_like.

# %%
ex.check_mlp(Value, Neuron, Layer, MLP, seed=SEED)

# %% [markdown]
# Count what you wrote: about thirty lines for the network, fifty for the engine. All that is
# missing is a loss to make small, which is the last notebook.
