# %% [markdown]
# # Build micrograd · 5 · Training on the moons
#
# *Follows A. Karpathy's micrograd lecture: the training loop at its end, and the moons demo
# of the micrograd repository.*
#
# Below are your engine and your network from notebooks 1–4. The data: 100 points in the
# plane, two interleaving half moons, labels $y = \pm 1$. The network `MLP(2, [16, 16, 1])`
# gives each point a score $s$; a point counts as right when $s$ has the sign of $y$. The
# loss is the mean squared error
#
# $$ L = \frac1n \sum_i (s_i - y_i)^2 . $$
#
# One step of gradient descent is four lines, and the order matters:
#
# 1. **forward**: the scores and the loss;
# 2. **reset**: `p.grad = 0.0` for every parameter, since `backward` adds (notebook 3);
# 3. **backward**: `loss.backward()`;
# 4. **update**: `p.data -= lr * p.grad`, a small step *downhill*.

# %%
import math
import random

from nn.exercises import build_micrograd as ex

SEED = 0
X, Y = ex.moons(seed=SEED)
print(len(X), "points, e.g.", X[0], "with label", Y[0])


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


class Neuron:
    def __init__(self, nin, rng, nonlin=True):
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)  # w·x + b
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
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], rng, nonlin=i != last)
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]



# %% [markdown]
# ## 5a · One step
# Write `step(mlp, X, Y, lr)`: the four lines above, returning the loss before the update
# (`loss.data`). The checker takes two steps on a small network and compares every
# parameter with ours.

# %%
def step(mlp, X, Y, lr):
    # BEGIN SOLUTION
    scores = [mlp(x) for x in X]
    loss = sum(((s - y) ** 2 for s, y in zip(scores, Y)), Value(0.0)) * (1.0 / len(Y))
    for p in mlp.parameters():
        p.grad = 0.0
    loss.backward()
    for p in mlp.parameters():
        p.data -= lr * p.grad
    return loss.data
    # END SOLUTION
    # EXERCISE: ...


# %%
ex.check_step(Value, MLP, step, seed=SEED)

# %% [markdown]
# ## 5b · The loop
# Write `train(X, Y, seed)`: make `MLP(2, [16, 16, 1], seed=seed)`, take steps, return the
# network. Ours, the same network from the same seed, classifies every point right after
# 100 steps at `lr = 0.1`; the checker measures that and asks you to do as well. It runs
# your `train` itself (about half a minute), with our engine switched off.

# %%
def train(X, Y, seed):
    # BEGIN SOLUTION
    mlp = MLP(2, [16, 16, 1], seed=seed)
    for k in range(100):
        loss = step(mlp, X, Y, lr=0.1)
        if k % 25 == 0:
            print(f"step {k}: loss {loss:.4f}")
    return mlp
    # END SOLUTION
    # EXERCISE: ...


# %%
ex.check_moons(Value, train, seed=SEED)

# %% [markdown]
# That is micrograd: an engine of about fifty lines and a network of thirty, trained by a
# loop of four. Everything else in this library (the tape, the δ tables, the drawings) is
# there to make this loop faster or easier to look at, not to change it.
