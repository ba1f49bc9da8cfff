# %% [markdown]
# # Build micrograd · 2 · tanh, two ways
#
# *Follows A. Karpathy's micrograd lecture: the neuron's tanh, first as one op, later
# broken into `exp` and `/`.*
#
# Below is the `Value` of notebook 1, finished. A neuron squashes its sum with
# $\tanh$. You can add it as **one node**: the output is $t = \tanh x$ and the local
# derivative is
#
# $$ \frac{d}{dx}\tanh x = 1 - \tanh^2 x = 1 - t^2 .$$
#
# Write it with $t$, the output you just computed, not with $x$: $1 - x^2$ is the slip
# everyone makes once.
#
# Then add `exp` (its local derivative is its own output, $e^x$) and build tanh a second
# time, from pieces you already have:
#
# $$ \tanh x = \frac{e^{2x} - 1}{e^{2x} + 1}. $$
#
# Both must give the same number and the same gradient. The second takes six nodes where the
# first took one: how small an op is, is your choice, as long as you know its local
# derivative.

# %%
import math

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

    # --- 2a ---
    def tanh(self):
        # BEGIN SOLUTION
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t * t,))
        # END SOLUTION
        # EXERCISE: ...

    # --- 2b ---
    def exp(self):
        # BEGIN SOLUTION
        e = math.exp(self.data)
        return Value(e, (self,), (e,))
        # END SOLUTION
        # EXERCISE: ...


# %%
ex.check_tanh(Value, seed=SEED)

# %%
ex.check_exp(Value, seed=SEED)

# %% [markdown]
# ## 2c · tanh from exp and /
# Write `tanh_from_exp(x)` with `exp`, `-`, `+` and `/` only. The checker follows the
# gradient through all of its nodes, using the local derivatives your ops stored, and
# compares it with your one-node `tanh`.

# %%
def tanh_from_exp(x):
    # BEGIN SOLUTION
    e = (2 * x).exp()
    return (e - 1) / (e + 1)
    # END SOLUTION
    # EXERCISE: ...


ex.check_tanh_from_exp(Value, tanh_from_exp, seed=SEED)

# %% [markdown]
# Two graphs of different shapes, one derivative. The chain rule does not care how finely
# you cut a function into ops. It is time to write that chain rule down once, for every
# graph: `backward()`.
