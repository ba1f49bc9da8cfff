# %% [markdown]
# # 05 · Handwritten digits
#
# A real (if small) data set: scikit-learn's 1,797 handwritten digits, 8 × 8 grey pixels
# each. A network 64 → 32 → 10 has 2,410 parameters and one example's loss graph about 2,600
# nodes; building that graph again for every example of every step, as the eager engine
# does, takes seconds per epoch. Here we train through the **compiled tape**
# (`nn.fit(..., compile=True)`): the graph of one example is compiled once and replayed on
# each minibatch with numpy, so an epoch over 1,437 images takes a fraction of a second.
#
# In this notebook: the images; training with softmax cross-entropy and Adam; the test
# accuracy on 360 images the network never saw; the confusion matrix; and the digits it
# gets wrong.
#
# Needs scikit-learn (`pip install "micrograd-like[digits]"`), which ships the images.
#
# *Sources: M. Nielsen, Neural Networks and Deep Learning, ch. 1 (digits) and ch. 2 (BP4); the
# wiki article "Backpropagation" (Brilliant); A. Karpathy's micrograd lecture (the engine
# underneath).*

# %%
# %matplotlib inline
import time

import numpy as np

import nn
from nn import plots
from nn.datasets import load_digits, train_test_split

# %% [markdown]
# ## The images
# `load_digits()` returns `X` (1797, 64): each row is an image read row by row, grey levels
# scaled from 0–16 to [0, 1]; and `y` (1797,): the digit.

# %%
X, y = load_digits()
print(X.shape, X.dtype, f"pixels in [{X.min()}, {X.max()}]", y.shape, y.dtype)
print("images per digit:", np.bincount(y).tolist())
plots.digit_images(X[:24], titles=[str(d) for d in y[:24]], ncols=12)

# %% [markdown]
# ## Train and test sets
# We hold out 360 images (20 %) for testing, chosen by a seeded shuffle. `train_test_split`
# rounds `test_fraction · n` to the nearest integer, so we ask for 360/1797 of them.

# %%
X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=360 / 1797, seed=0)
print(f"{len(X_train)} training images, {len(X_test)} test images")
assert (len(X_train), len(X_test)) == (1437, 360)

# %% [markdown]
# ## The network and the loss
# An MLP 64 → 32 tanh → 10 linear. Its ten outputs $a_0, \dots, a_9$ are scores, one per
# digit; softmax turns them into probabilities $p_k = e^{a_k} / \sum_j e^{a_j}$, and the loss
# of an example with label $y$ is $-\ln p_y$, averaged over the minibatch. Its gradient with
# respect to the scores is $p_k - [k = y]$: push the right digit's score up and the others
# down, in proportion to their probability.
#
# Training: Adam with learning rate 0.01, minibatches of 32 images in a new order each
# epoch, 15 epochs.

# %%
mlp = nn.MLP(64, [32, 10], activation="tanh", seed=0)
print(mlp)
opt = nn.Adam(mlp.parameters(), lr=0.01)
start = time.perf_counter()
history = nn.fit(mlp, X_train, y_train, loss="softmax_cross_entropy", optimizer=opt,
                 epochs=15, batch_size=32, seed=0, progress=False, compile=True)
seconds = time.perf_counter() - start
print(f"15 epochs in {seconds:.2f} s ({seconds / 15:.3f} s per epoch of 1,437 images)")
print(history)

# %%
plots.loss_curve(history).figure

# %% [markdown]
# ## Test accuracy
# `nn.predict` runs the trained network on all 360 test images (again one compiled tape,
# replayed on the whole batch); the predicted digit is the largest score.

# %%
scores = nn.predict(mlp, X_test)
predicted = scores.argmax(axis=1)
accuracy = float(np.mean(predicted == y_test))
print(f"test accuracy: {accuracy:.3f} ({int(np.sum(predicted == y_test))} of {len(y_test)})")
assert accuracy >= 0.95

# %% [markdown]
# ## Confusion matrix
# Row $i$, column $j$: how many test images of digit $i$ were read as $j$. The diagonal is
# what the network gets right; everything off it is a mistake, and which cells they fall
# in shows which digits it confuses.

# %%
cm = plots.confusion_matrix(y_test, predicted, n_classes=10)
assert cm.sum() == len(y_test) and np.trace(cm) == int(np.sum(predicted == y_test))
plots.plot_confusion_matrix(cm).figure

# %% [markdown]
# ## The mistakes
# Every misclassified test image, with its label and the network's answer (and the
# softmax probability it gave that answer). Some are hard to read even for a person at
# 8 × 8 pixels.

# %%
wrong = np.flatnonzero(predicted != y_test)
shifted = scores - scores.max(axis=1, keepdims=True)
probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
titles = [f"{y_test[i]} → {predicted[i]} ({probabilities[i, predicted[i]]:.2f})" for i in wrong]
print(f"{len(wrong)} mistakes; title: true → predicted (probability)")
plots.digit_images(X_test[wrong], titles=titles, ncols=8)

# %% [markdown]
# ## BP4 at work: what one digit teaches the first layer
# BP4 says the gradient of a weight is the activation coming into it times the error of the
# neuron it feeds. For the first layer of neurons the incoming activations are the pixels
# $x_k$ themselves, so in Nielsen's numbering (input = layer 1, so these weights are $w^2$)
#
# $$ \frac{\partial C}{\partial w^2_{jk}} = a^1_k\, \delta^2_j = x_k\, \delta^2_j . $$
#
# (The wiki counts the input as layer 0 and would call these weights $w^1$; in code they are
# `mlp.layers[0].neurons[j].w[k]`.) For a fixed neuron $j$, the 64 gradients of its weights,
# laid out 8 × 8 like the pixels, are therefore **the digit itself, scaled by one number**
# $\delta^2_j$: strong where the ink is dense, exactly zero where the pixel is blank, and
# red or blue by the sign of $\delta^2_j$. A step of gradient descent adds $-\eta$ times this
# picture to the neuron's weights: it stamps a faint copy of the digit into them.
#
# One test image the network gets wrong (so its error is large), its cost $C = -\ln p_y$
# alone, one backward pass through the trained network, and the weight gradients of the
# three hidden neurons with the largest $|\delta|$. (`zero_grad()` first: training left
# gradients in the parameters, and `backward()` would add to them.)

# %%
import matplotlib.pyplot as plt

from nn import notation

i = int(wrong[0]) if len(wrong) else 0
t = mlp.trace(list(X_test[i]))
C = nn.softmax_cross_entropy([t.outputs], [int(y_test[i])])
mlp.zero_grad()
C.backward()
delta2 = np.array(t.deltas()[0])  # δ² of the 32 hidden neurons
grad_w2 = np.array([[w.grad for w in n.w] for n in mlp.layers[0].neurons])  # (32, 64)
bp4 = np.outer(delta2, X_test[i])  # BP4: δ² (a¹)ᵀ
print(f"C = {C.data:.4f}; largest |engine − BP4| over all 2,048 weights: "
      f"{np.max(np.abs(grad_w2 - bp4)):.1e}")

top = np.argsort(-np.abs(delta2))[:3]
fig, axes = plt.subplots(1, 4, figsize=(11, 3))
axes[0].imshow(X_test[i].reshape(8, 8), cmap="gray_r")
axes[0].set_title(f"the digit x: {y_test[i]}, read as {predicted[i]}")
for ax, j in zip(axes[1:], top):
    g = grad_w2[j].reshape(8, 8)
    limit = np.max(np.abs(g))
    ax.imshow(g, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(f"∂C/∂w²ⱼₖ, j = {j + 1}\n{notation.delta(0, j)} = {delta2[j]:+.3g}", fontsize=9)
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()
