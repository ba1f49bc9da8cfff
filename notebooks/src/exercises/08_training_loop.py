# %% [markdown]
# # Exercise 8 · A training loop, written out
#
# *Sources: A. Karpathy's micrograd lecture, "The spelled-out intro to neural networks and
# backpropagation" (the training loop at its end); M. Nielsen, Neural Networks and Deep
# Learning, ch. 1-2 (gradient descent); the wiki article "Backpropagation" (Brilliant).*
#
# Everything so far fits in four lines that repeat. One step of gradient descent on a
# batch $(X, Y)$:
#
# 1. **forward**: outputs for every example and the cost
#    $C = \frac{1}{2n}\sum_x \lVert a^L(x) - y(x)\rVert^2$ (`nn.quadratic`);
# 2. **zero_grad**: clear the gradients of the previous step (exercise 4b);
# 3. **backward**: `C.backward()` fills every `p.grad` with $\partial C/\partial p$;
# 4. **update**: $p \leftarrow p - \eta\, \partial C/\partial p$ for every parameter $p$.
#
# The task: a 2-4-1 network (tanh hidden layer, linear output) learns XOR, the function no
# single neuron can compute.

# %%
# %matplotlib inline
import nn
from nn import exercises as ex

SEED = 0
X, Y = ex.XOR_X, ex.XOR_Y
print("X =", X, "\nY =", Y)

# %% [markdown]
# ## 8a · One step
# Write `step`: the four lines above, returning the cost *before* the update (`C.data`).
# The checker runs two steps and compares every parameter with $p - \eta\,\partial C/\partial p$
# computed from the BP equations in numpy.

# %%
def step(mlp, X, Y, lr):
    # BEGIN SOLUTION
    C = nn.quadratic([mlp(x) for x in X], Y)  # forward
    mlp.zero_grad()
    C.backward()
    for p in mlp.parameters():
        p.data -= lr * p.grad  # downhill
    return C.data
    # END SOLUTION
    # EXERCISE: ...  # forward, zero_grad, backward, update; return C.data


# %%
ex.check_step(step, seed=SEED)

# %% [markdown]
# ## 8b · The loop
# Train `mlp` with your `step` until the cost is under 0.01. Choose the number of steps and
# the learning rate $\eta$ (start with 0.1, try larger), or loop until the cost is low
# enough. The checker recomputes the cost from the trained weights.

# %%
mlp = ex.training_network(seed=SEED)
losses = []
# BEGIN SOLUTION
while (not losses or losses[-1] > 0.005) and len(losses) < 3000:
    losses.append(step(mlp, X, Y, lr=0.2))
# END SOLUTION
# EXERCISE: ...  # for ... : losses.append(step(mlp, X, Y, lr=...))

# %%
ex.check_training(mlp, seed=SEED)

# %%
if losses:
    print(f"{len(losses)} steps: C from {losses[0]:.4f} to {losses[-1]:.4f}")
    display(nn.plots.loss_curve(losses).figure)
else:
    print("the loss curve appears here once your loop has run")
