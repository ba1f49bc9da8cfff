# %% [markdown]
# # 04 · Training an MLP
#
# micrograd's classic demo, with this project's pieces: 100 points of two interleaving
# half-moons, an MLP 2 → 16 → 16 → 1 with ReLU hidden layers, the max-margin ("hinge") loss
# plus a small L2 penalty, and plain gradient descent with a decaying learning rate.
#
# In this notebook:
#
# 1. the data and the loss, written out;
# 2. the training loop written out (forward, zero_grad, backward, update), and `nn.fit`
#    doing exactly the same steps;
# 3. training with `nn.fit` on the compiled tape, the loss curve and the decision boundary
#    drawn by `nn.plots`;
# 4. one neuron of the trained network, its graph after `backward()` drawn with `draw_dot`;
# 5. the compiled tape against the eager engine: the same gradient, to rounding, and how
#    long one training step takes on each.
#
# *Sources: A. Karpathy's micrograd lecture and its moons demo (data, network, hinge loss,
# schedule); M. Nielsen, Neural Networks and Deep Learning, ch. 1–2 (gradient descent,
# backpropagation); the wiki article "Backpropagation" (Brilliant).*

# %%
# %matplotlib inline
import statistics
import time

import numpy as np

import nn
from micrograd_like import Value, compile_tape, draw_dot
from nn import losses, plots
from nn.losses import hinge_term
from nn.datasets import make_moons

# %% [markdown]
# ## The data
# `make_moons(100, noise=0.1, seed=0)` gives points $x \in \mathbb R^2$ with labels 0/1.
# The hinge loss wants labels $y = \pm 1$, so we use $y = 2\,\text{label} - 1$.

# %%
X, labels = make_moons(100, noise=0.1, seed=0)
Y = 2 * labels - 1
values, counts = np.unique(Y, return_counts=True)
print(X.shape, "points per label:", dict(zip(values.tolist(), counts.tolist())))

# %% [markdown]
# ## The model and the loss
# The network outputs one **score** $s(x)$; its sign is the predicted class. For a batch of
# $n$ points the loss is the mean hinge plus an L2 penalty on all 337 parameters $p$:
#
# $$C = \frac1n \sum_{i=1}^n \max\bigl(0,\; 1 - y_i\, s(x_i)\bigr) \;+\; \alpha \sum_p p^2,
# \qquad \alpha = 10^{-4}.$$
#
# A point contributes nothing once it is on the right side with margin, $y_i s(x_i) \ge 1$;
# otherwise it pulls its score towards its label with gradient $-y_i/n$.
#
# Before training, the random network splits the plane more or less arbitrarily:

# %%
mlp = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
print(mlp)
ax = plots.decision_boundary(mlp, X, Y)
ax.set_title("before training")
ax.figure

# %% [markdown]
# ## The training loop, written out
# However it is packaged, training repeats four lines. At step $k$, for every parameter $p$:
#
# 1. **forward**: the scores of all points and the cost $C$ above;
# 2. **zero_grad**: $p.\text{grad} \leftarrow 0$ (leaves *add* gradients on every
#    `backward()`, so the previous step's must go; exercise 4 of the track shows what
#    happens otherwise);
# 3. **backward**: `C.backward()` leaves $\partial C/\partial p$ in `p.grad`;
# 4. **update**: $p \leftarrow p - \eta_k\, \partial C/\partial p$.
#
# Five steps by hand, on a network with the same starting weights as `mlp` above:

# %%
ALPHA = 1e-4  # the L2 strength α, used for the rest of the notebook
by_hand = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
params = by_hand.parameters()
for k in range(5):
    lr = 1.0 - 0.9 * k / 100
    scores = [by_hand(x) for x in X]  # 1. forward
    C = losses.hinge(scores, Y) + losses.l2(params, ALPHA)
    by_hand.zero_grad()  # 2. zero_grad
    C.backward()  # 3. backward
    for p in params:  # 4. update
        p.data -= lr * p.grad
    print(f"step {k}: C = {C.data:.6f} (before the update), lr = {lr:.3f}")

# %% [markdown]
# `nn.fit` does the same four lines (with `nn.SGD` for the update). Five full-batch epochs of
# it, on the eager engine, from the same start, end at the same parameters, up to the
# rounding of adding the examples in another (shuffled) order:

# %%
by_fit = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
sgd = nn.SGD(by_fit.parameters(), lr=1.0)
for k in range(5):
    sgd.lr = 1.0 - 0.9 * k / 100
    nn.fit(by_fit, X, Y, loss="hinge", optimizer=sgd, epochs=1, l2=ALPHA, progress=False)
gap = max(abs(a.data - b.data) for a, b in zip(params, by_fit.parameters()))
print(f"largest difference between the two networks' parameters: {gap:.1e}")
assert gap < 1e-9

# %% [markdown]
# ## Training
# micrograd's demo takes 100 full-batch steps with the learning rate
# $\eta_k = 1 - 0.9\,k/100$ at step $k$. With the whole data set as one batch, an epoch of
# `nn.fit` *is* one step, so we call `fit` once per step with one optimizer whose `lr` we
# set before each call; `compile=True` runs each step on the compiled tape (notebook 06
# explains it; its gradients are checked below). The per-step histories are joined into one.

# %%
ALPHA = 1e-4
opt = nn.SGD(mlp.parameters(), lr=1.0)
history = nn.History()
start = time.perf_counter()
for k in range(100):
    opt.lr = 1.0 - 0.9 * k / 100
    h = nn.fit(mlp, X, Y, loss="hinge", optimizer=opt, epochs=1, l2=ALPHA,
               progress=False, compile=True)
    history.loss += h.loss
    history.accuracy += h.accuracy
print(f"100 steps in {time.perf_counter() - start:.2f} s;", history)

# %% [markdown]
# `history.loss` is the data loss (without the L2 term) *before* each step, and
# `history.accuracy` the fraction of points on the right side in the same forward pass.

# %%
plots.loss_curve(history).figure

# %% [markdown]
# The accuracy we report is measured again, after the last step, with `nn.predict`:
# the sign of the score against the label.

# %%
scores = nn.predict(mlp, X)[:, 0]
accuracy = float(np.mean(np.sign(scores) == Y))
print(f"training accuracy after 100 steps: {accuracy:.2f}")
assert accuracy >= 0.95

# %%
ax = plots.decision_boundary(mlp, X, Y)
ax.set_title(f"after 100 steps: accuracy {accuracy:.2f}")
ax.figure

# %% [markdown]
# ## One neuron after `backward()`
# Take the first neuron of the first hidden layer (`mlp.layers[0].neurons[0]`, Nielsen's
# neuron 1 of layer 2) and the first data point. The neuron computes
# $z^2_1 = w^2_{11} x_1 + w^2_{12} x_2 + b^2_1$ as one `dot` node and then
# $a^2_1 = \mathrm{relu}(z^2_1)$. After `a.backward()`: $\partial a/\partial z = 1$ if $z > 0$
# (else 0), and through the dot $\partial a/\partial w^2_{1k} = x_k\,\partial a/\partial z$,
# $\partial a/\partial b = \partial a/\partial z$.
# The drawing labels z's grad `∂a²₁/∂z²₁`, not δ: backward started at the neuron's output
# $a$, which is no cost, and δ means $\partial C/\partial z$ for a cost $C$ only.
# (We zero the gradients first: training left the last step's gradient in every `.grad`.)

# %%
neuron = mlp.layers[0].neurons[0]
x = X[0].tolist()
mlp.zero_grad()
a = neuron(x)
a.backward()
z = a.parents[0]
print(f"x = {np.round(x, 3).tolist()}, z = {z.data:.4f}, a = relu(z) = {a.data:.4f}")
dz = 1.0 if z.data > 0 else 0.0
assert z.grad == dz
assert [w.grad for w in neuron.w] == [xk * dz for xk in x]
assert neuron.b.grad == dz
drawing = draw_dot(a, number_format=".3f")
assert "∂a²₁/∂z²₁" in drawing.source and "δ" not in drawing.source
drawing

# %%
mlp.zero_grad()  # leave the model as training left it, minus that gradient

# %% [markdown]
# ## Compiled tape vs eager engine
# The **eager** step builds the graph of the whole batch out of Values (100 copies of the
# network, about 7,000 nodes), then walks it backwards. The **tape** compiles one example's
# graph once (`micrograd_like.compile_tape`, with the input and the label as input leaves)
# and replays it on all 100 rows at once with numpy; `Tape.backward()` returns the gradient
# of the batch **mean**, which is what the hinge loss above averages. The L2 term does not
# depend on the data, so we add its gradient $2\alpha p$ by hand.
#
# Both start from the same weights (a fresh, untrained network) and must give the same
# gradient for every parameter.

# %%
fresh = nn.MLP(2, [16, 16, 1], activation="relu", seed=1)
params = fresh.parameters()
theta = np.array([p.data for p in params])


def eager_step():
    outputs = [fresh(row) for row in X.tolist()]
    C = losses.hinge(outputs, Y) + losses.l2(params, ALPHA)
    fresh.zero_grad()
    C.backward()
    return C.data, np.array([p.grad for p in params])


xs, label = [Value(0.0), Value(0.0)], Value(0.0)
tape = compile_tape(hinge_term(fresh(xs), [label]), inputs=[*xs, label], params=params)
XY = np.column_stack([X, Y])


def tape_step():
    data_loss, grad = tape.value_and_grad(XY, theta)
    return data_loss + ALPHA * theta @ theta, grad + 2 * ALPHA * theta


loss_eager, grad_eager = eager_step()
loss_tape, grad_tape = tape_step()
print(tape)
print(f"loss: eager {loss_eager:.12f}, tape {loss_tape:.12f}")
print(f"largest gradient difference over {len(params)} parameters: "
      f"{np.max(np.abs(grad_eager - grad_tape)):.1e}")
assert abs(loss_eager - loss_tape) <= 1e-12
np.testing.assert_allclose(grad_tape, grad_eager, rtol=1e-10, atol=1e-12)

# %% [markdown]
# How long one step takes (forward and backward over the 100 points, median of 7 runs;
# the tape's one-off compilation is not included). The numbers depend on the machine.

# %%
def median_seconds(step, repeats=7):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


t_eager, t_tape = median_seconds(eager_step), median_seconds(tape_step)
print(f"eager engine: {1e3 * t_eager:7.2f} ms per step")
print(f"tape:         {1e3 * t_tape:7.2f} ms per step  ({t_eager / t_tape:.0f}x faster)")

# %% [markdown]
# The tape is faster because each op runs once per *group of nodes* on arrays of 100
# examples, instead of once per node per example in Python. It can do this only because
# the graph's structure does not depend on the data: `relu` picks its branch inside the op,
# per example. What it replays is still the scalar graph drawn above.
