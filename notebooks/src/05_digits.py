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

# %%
# %matplotlib inline
import time
import warnings

warnings.filterwarnings("ignore", message="IProgress not found")  # tqdm, no ipywidgets here

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
