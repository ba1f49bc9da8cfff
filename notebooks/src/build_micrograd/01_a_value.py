# %% [markdown]
# # Build micrograd · 1 · A Value that remembers
#
# *Follows A. Karpathy's lecture "The spelled-out intro to neural networks and
# backpropagation: building micrograd". In these five notebooks you write the engine
# yourself; `micrograd_like` is only the yardstick the checkers hold your code against.*
#
# A `Value` wraps one number. What makes it more than a float: every result of an operation
# remembers where it came from, its **parents**, and how much it moves when each parent
# moves, its **local derivatives**. For `c = a * b` these are $\partial c/\partial a = b$ and
# $\partial c/\partial b = a$, stored as plain numbers next to the parents.
#
# The checkers build random expressions with your class and with ours, and compare. While
# they run your code, our `backward` and `grad` are switched off.

# %%
from nn.exercises import build_micrograd as ex

SEED = 0

# %% [markdown]
# ## 1a · `+` and `*`
# Fill in `__add__` and `__mul__`. Each returns a **new** `Value` with
# `parents=(self, other)` and the two local derivatives in the same order. When `other` is
# a plain number, wrap it in a `Value` first, so that `v + 1.5` works too.
#
# ## 1b · The other operators
# Python needs more methods before `2 * v`, `v - 1`, `-v`, `v ** 3` and `v / w` work.
# `2 * v` first asks the int 2, which gives up, and then calls `v.__rmul__(2)`: the
# *reflected* operator. Most of these are one line on top of `+`, `*` and `**`
# (subtraction is adding the negation, division is multiplying by a power −1); only `**`
# needs a node of its own, with the power rule $n x^{n-1}$ as its local derivative. Leave
# 1b for after the 1a check says "right".

# %%
class Value:
    def __init__(self, data, parents=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self.parents = parents  # the Values this one was computed from, in order
        self.local_grads = local_grads  # ∂self/∂parent, one number per parent

    def __repr__(self):
        return f"Value(data={self.data})"

    # --- 1a ---
    def __add__(self, other):  # self + other
        # BEGIN SOLUTION
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))
        # END SOLUTION
        # EXERCISE: ...

    def __mul__(self, other):  # self * other
        # BEGIN SOLUTION
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))
        # END SOLUTION
        # EXERCISE: ...

    # --- 1b ---
    def __radd__(self, other):  # other + self
        # BEGIN SOLUTION
        return self + other
        # END SOLUTION
        # EXERCISE: ...

    def __rmul__(self, other):  # other * self
        # BEGIN SOLUTION
        return self * other
        # END SOLUTION
        # EXERCISE: ...

    def __neg__(self):  # -self
        # BEGIN SOLUTION
        return self * -1
        # END SOLUTION
        # EXERCISE: ...

    def __sub__(self, other):  # self - other
        # BEGIN SOLUTION
        return self + (-other)
        # END SOLUTION
        # EXERCISE: ...

    def __rsub__(self, other):  # other - self
        # BEGIN SOLUTION
        return other + (-self)
        # END SOLUTION
        # EXERCISE: ...

    def __pow__(self, n):  # self ** n, n a plain number
        # BEGIN SOLUTION
        return Value(self.data ** n, (self,), (n * self.data ** (n - 1),))
        # END SOLUTION
        # EXERCISE: ...

    def __truediv__(self, other):  # self / other
        # BEGIN SOLUTION
        return self * other ** -1
        # END SOLUTION
        # EXERCISE: ...

    def __rtruediv__(self, other):  # other / self
        # BEGIN SOLUTION
        return other * self ** -1
        # END SOLUTION
        # EXERCISE: ...


# %%
ex.check_add_mul(Value, seed=SEED)

# %%
ex.check_value_ops(Value, seed=SEED)

# %% [markdown]
# Notice what you did *not* write: no derivative for `-`, `/` or `2 * v`. They are built
# from `+`, `*` and `**`, so their derivatives come for free once the chain rule runs
# through the nodes they make. That chain rule is notebook 3; first, one more op.
