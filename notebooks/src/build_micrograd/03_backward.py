# %% [markdown]
# # Build micrograd · 3 · backward()
#
# *Follows A. Karpathy's micrograd lecture: the backward pass by hand, then automated with
# a topological sort.*
#
# Every node stores $\partial v/\partial p$ for each parent $p$. The chain rule turns these
# into $\partial L/\partial p$ for the root $L$: a parent receives its child's gradient times
# the local derivative,
#
# $$ \frac{\partial L}{\partial p} \mathrel{+}= \frac{\partial v}{\partial p}\,
#    \frac{\partial L}{\partial v}, $$
#
# summed over every use $v$ of $p$. Two rules make this right on any graph:
#
# * **order**: a node hands its gradient on only when it is complete, that is after every
#   node that uses it has handed its share to it. A **topological order** lists each node
#   after its parents; walked in reverse, it gives exactly that.
# * **`+=`**: a node used twice gets two shares, and they add up.
#
# Here is the lecture's small graph that breaks both shortcuts.

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

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    # --- 3 ---
    def backward(self):
        # BEGIN SOLUTION
        topo, visited = [], set()

        def build_topo(v):  # v after all of its parents
            if v not in visited:
                visited.add(v)
                for parent in v.parents:
                    build_topo(parent)
                topo.append(v)

        build_topo(self)
        self.grad = 1.0  # ∂self/∂self
        for v in reversed(topo):  # from the root back to the leaves
            for parent, local in zip(v.parents, v.local_grads):
                parent.grad += local * v.grad  # += : one share per use of parent
        # END SOLUTION
        # EXERCISE: ...


# %% [markdown]
# ## Why an order: `b = a + a`, `c = b + b`
# $c = 2b = 4a$, so $\partial c/\partial a = 4$. A plain recursion hands a gradient down as
# soon as it gets one, without waiting:

# %%
def backward_without_order(v):
    for parent, local in zip(v.parents, v.local_grads):
        parent.grad += local * v.grad
        backward_without_order(parent)  # parent may not have all its shares yet


a = Value(1.0)
b = a + a
c = b + b
c.grad = 1.0
backward_without_order(c)
print(f"without an order: a.grad = {a.grad}, b.grad = {b.grad} (should be 4 and 2)")

# %% [markdown]
# `b` is reached twice, once per use in `c`. The first time, `b.grad` is 1, half of its
# final value, and it is passed on to `a` already; the second time `b.grad` is 2 and
# passed on again: $a$ gets $2\cdot 1 + 2\cdot 2 = 6$. In reverse topological order `b` is
# visited once, when its gradient is 2.
#
# ## Why `+=`: the same graph, assigning

# %%
def backward_assigning(root):
    order = [root, root.parents[0], root.parents[0].parents[0]]  # c, b, a: right here
    root.grad = 1.0
    for v in order:
        for parent, local in zip(v.parents, v.local_grads):
            parent.grad = local * v.grad  # the second use overwrites the first


a = Value(1.0)
b = a + a
c = b + b
backward_assigning(c)
print(f"assigning: a.grad = {a.grad}, b.grad = {b.grad} (should be 4 and 2)")

# %% [markdown]
# Each `+` lists its operand twice; assigning keeps one share of two.
#
# ## 3 · Your backward()
# Fill in `backward` in the class above: build the topological order (the lecture's
# `build_topo`, with a `visited` set so a node is listed once), set `self.grad = 1.0`, and
# apply the chain rule over `reversed(topo)` with `+=`. Then run the class cell again and
# check. The checker starts with the graph above, then random graphs with every op so far.

# %%
ex.check_backward(Value, seed=SEED)

# %% [markdown]
# One question the lecture leaves for later: call `backward()` twice and the leaves' grads
# double. That is `+=` doing its job; notebook 5 is where it matters.
