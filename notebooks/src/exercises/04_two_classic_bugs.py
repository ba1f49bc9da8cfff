# %% [markdown]
# # Exercise 4 · The two classic bugs
#
# *Sources: A. Karpathy's micrograd lecture, "The spelled-out intro to neural networks and
# backpropagation" (both bugs appear there); M. Nielsen, Neural Networks and Deep Learning,
# ch. 2; the wiki article "Backpropagation" (Brilliant).*
#
# Two mistakes catch nearly everyone who writes backpropagation for the first time. Both
# come from the same fact, the **sum rule** of the chain rule: when a quantity reaches the
# output along several paths, its derivative is the *sum* over the paths,
#
# $$ \frac{\partial L}{\partial v} = \sum_{\text{uses } u \text{ of } v}
#    \frac{\partial L}{\partial u}\,\frac{\partial u}{\partial v}. $$
#
# ## 4a · A node used twice
# Below is a small backward pass written out: it visits the nodes from the root down and
# hands each node's gradient to its parents, times the local derivative (`v.parents` and
# `v.local_grads` are stored by every op). It has a bug: try it on $y = a\cdot a + a$, whose
# derivative is $2a + 1$. Find the bug and fix it. (Rewriting it as a plain recursion,
# each node handing its grad to its parents and recursing into them at once, is the other
# classic bug: the checker names it too.)

# %%
from micrograd_like import Value, topological_order
from nn import exercises as ex

SEED = 0


def backward(root):
    order = topological_order(root)  # parents before children, root last
    root.grad = 1.0
    for v in reversed(order):
        for parent, local in zip(v.parents, v.local_grads):
            # BEGIN SOLUTION
            parent.grad += local * v.grad  # every use of parent adds its share
            # END SOLUTION
            # EXERCISE: parent.grad = local * v.grad


a = Value(3.0)  # a first try; the checker draws its own graphs from your SEED
y = a * a + a
backward(y)
print(f"a = {a.data}: a.grad = {a.grad} (should be 2a + 1 = {2 * a.data + 1})")

# %%
ex.check_backward(backward, seed=SEED)

# %% [markdown]
# `y = a*a + a` uses `a` three times: twice in the product (its local derivatives are both
# $a$) and once in the sum (local derivative 1). Assigning keeps only the last of the three;
# adding keeps all of them, $a + a + 1$.
#
# ## 4b · Forgetting to zero the gradients
# The engine adds into a leaf's `.grad` on every `backward()` (that is how the contributions
# of many examples are summed). So before each new gradient, the old one must be reset.
# The loop below minimises $C(w) = (Xw - Y)^2$ (your $X$, $Y$, starting point and rate are
# printed below) by gradient descent, $w \leftarrow w - \eta\, \mathrm dC/\mathrm dw$, and
# drifts past the minimum at $w = Y/X$. Fix it.

# %%
problem = ex.descent_problem(seed=SEED)
X, Y = problem["X"], problem["Y"]
print(problem)


def descend(w0, lr, steps):
    w = Value(w0)
    history = []
    for _ in range(steps):
        C = (X * w - Y) ** 2
        # BEGIN SOLUTION
        w.grad = 0.0  # forget the previous step's gradient
        # END SOLUTION
        C.backward()
        w.data -= lr * w.grad
        history.append(w.data)
    return history


print([round(w, 4) for w in descend(problem["w0"], problem["lr"], problem["steps"])])

# %%
ex.check_descent(descend, seed=SEED)

# %% [markdown]
# With the bug, `w.grad` after step $t$ is the sum of all gradients so far, so the loop
# behaves like a ball with momentum and no friction: it overshoots $w = Y/X$ and swings back.
# In a network, `mlp.zero_grad()` (or an optimiser's `zero_grad()`) does the reset for all
# parameters at once.
