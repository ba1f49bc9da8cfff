# %% [markdown]
# # 02 · Drawing computation graphs
#
# Backpropagation is easier to believe once you can see the graph it walks.
# `draw_dot(root)` draws everything `root` depends on: each Value is a box
# `{ label | data | grad }`, each op is a small oval between its inputs and its output.
# It returns a `graphviz.Digraph`, which Jupyter shows as an SVG picture.
#
# In this notebook: one neuron's expression drawn plainly, coloured by gradient, and with
# one path highlighted; then graphs built by `nn`, grouped by neuron and layer (δ on each
# weighted input, under a cost only); what happens when a graph is too big to draw; and
# backward played one step at a time.
#
# *Sources: the drawn graph with data and grad in each node follows A. Karpathy's micrograd
# lecture; δ = ∂C/∂z on every weighted input is M. Nielsen's, Neural Networks and Deep
# Learning, ch. 2; the wiki article "Backpropagation" (Brilliant) names the same quantities
# its own way.*

# %%
import math
import re
import tempfile
from pathlib import Path

from IPython.display import display

import nn
from micrograd_like import Value, backward_frames, draw_dot
from micrograd_like.viz import GraphTooLargeError, save_frames

# %% [markdown]
# ## One neuron, by hand
# Two inputs, two weights, a bias and a tanh: $o = \tanh(x_1 w_1 + x_2 w_2 + b)$.
# The bias is chosen so that $n = x_1 w_1 + x_2 w_2 + b \approx 0.8814$, where
# $\tanh n = 1/\sqrt 2$ and therefore $\partial o/\partial n = 1 - o^2 = 0.5$ exactly:
# easy numbers to check by eye.

# %%
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.0 + math.atanh(1 / math.sqrt(2)), label="b")
x1w1 = x1 * w1
x1w1.label = "x1*w1"
x2w2 = x2 * w2
x2w2.label = "x2*w2"
s = x1w1 + x2w2
s.label = "x1*w1 + x2*w2"
n = s + b
n.label = "n"
o = n.tanh()
o.label = "o"
o.backward()
draw_dot(o)

# %% [markdown]
# Read it from right to left, as backward does.
#
# * `o` starts with grad 1: $\partial o/\partial o = 1$.
# * Through `tanh`, the grad is multiplied by the local derivative $1 - o^2 = 0.5$.
# * A `+` passes its output's grad unchanged to each input, so `x1*w1 + x2*w2`, `b`, and
#   then `x1*w1` and `x2*w2` all get 0.5.
# * A `*` sends each input the *other* input times the grad: `w1.grad` $= x_1 \cdot 0.5 = 1$,
#   `x1.grad` $= w_1 \cdot 0.5 = -1.5$.
#
# With `show_local_grads=True` every edge into an op carries that local derivative, so the
# whole chain rule is on the page: a box's grad is the sum, over the edges leaving it, of
# (number on the edge) × (grad of the op's output).

# %%
draw_dot(o, show_local_grads=True, number_format=".3g")

# %% [markdown]
# ## Colour by |grad|
# `color_by_grad=True` fills each box by $|\text{grad}| / \max|\text{grad}|$ in five bins;
# the legend gives the bins in absolute numbers. Look for the white box: `w2` has grad 0
# because its input `x2` is 0. For this example, changing `w2` cannot change the output, so
# a gradient step leaves it where it is: a weight only learns from examples where its
# input is non-zero.

# %%
draw_dot(o, color_by_grad=True)

# %% [markdown]
# ## One leaf's paths to the root
# `highlight=` draws in red every node through which a leaf influences the root. The
# derivative of the root with respect to that leaf is the product of the local derivatives
# along the red path (summed over paths, when there are several):
# $\partial o/\partial x_1 = w_1 \cdot 1 \cdot 1 \cdot (1 - o^2)$
# (one factor each for the `*`, the two `+` and the `tanh`).

# %%
along_path = w1.data * 1.0 * 1.0 * (1 - o.data**2)
print(f"product along the red path: {along_path:+.6f}   x1.grad from backward: {x1.grad:+.6f}")
draw_dot(o, highlight="x1")

# %% [markdown]
# ## Graphs built by `nn`: neurons and layers
# `nn` annotates every Value it makes with what it is (input, weight, bias, weighted input
# z, activation a) and its name in Nielsen's notation: the input is layer 1, so the first
# layer of neurons is layer 2 and its first neuron's weighted input is $z^2_1$
# (`draw_dot(..., notation="zero-based")` gives Python's indices, `z[0][0]`, instead).
# `draw_dot` reads the annotations: each neuron gets its own dashed cluster inside its
# layer's cluster, and the weighted input $z = \sum_k w_k x_k + b$ is **one** `dot` node.
#
# What a box's grad *means* depends on where backward started. Here it starts at the
# neuron's output $a = \tanh(z)$, which is no cost, so z's grad is $\partial a/\partial z
# = 1 - \tanh^2 z$, and the drawing says exactly that: `∂a²₁/∂z²₁`. It is **not** the
# neuron's error δ, which is defined as $\partial C/\partial z$ for a cost $C$ (next section).
#
# First the weighted input as one node, then built from elementary `*` and `+` nodes
# (`z="elementary"`): the same numbers, more boxes.

# %%
neuron = nn.MLP(2, [1], output_activation="tanh", seed=1)
t = neuron.trace([2.0, -1.0])
t.outputs[0].backward()
z = t.zs[0][0]
print(neuron)
print(f"∂a/∂z = {z.grad:.6f}   1 − tanh²(z) = {1 - math.tanh(z.data) ** 2:.6f}")
draw_dot(t.outputs[0])

# %%
neuron_elementary = nn.MLP(2, [1], output_activation="tanh", seed=1, z="elementary")
te = neuron_elementary.trace([2.0, -1.0])
te.outputs[0].backward()
print("∂a/∂z with one dot node:", t.zs[0][0].grad,
      "  from * and + nodes:", te.zs[0][0].grad)
draw_dot(te.outputs[0])

# %% [markdown]
# ## A small MLP, with the cost
# A 2-2-1 network with sigmoid hidden units and a linear output, one example, and the
# quadratic cost $C = \tfrac12 (a - y)^2$. The loss marks its result as a cost, so after
# `C.backward()` each z node's grad is drawn as what it now is, the error
# $\delta^l_j = \partial C/\partial z^l_j$ (blue border). The cost's own nodes are named too:
# $a - y$, the square $(a - y)^2$, the factor ½, and C; the target y and the ½ are grey,
# with no gradient, because nothing is learned there.
# Follow the δ from right to left: the output neuron's δ is $a - y$ (BP1 with a linear
# output), and each hidden δ is that number times the weight leading out of the neuron
# times $\sigma'(z)$ (BP2). Notebook 03 checks this against the equations; here we only
# compare the picture with `t.deltas()`.

# %%
mlp = nn.MLP(2, [2, 1], activation="sigmoid", seed=0)
t = mlp.trace([1.0, -2.0])
C = nn.quadratic([t.outputs], [[1.0]])
C.backward()
for layer, deltas in enumerate(t.deltas()):
    names = [nn.notation.delta(layer, j) for j in range(len(deltas))]
    print(", ".join(f"{n} = {d:+.4f}" for n, d in zip(names, deltas)))
draw_dot(C, color_by_grad=True)

# %% [markdown]
# ## Too big to draw: the size guard and the way out
# The micrograd demo network, 2-16-16-1, has 337 parameters. One example's graph already
# has about 480 boxes and ovals; the loss over a batch of four has about 900 (the
# parameters are shared, everything else is repeated per example). Graphviz would take a
# long time to lay out a real batch and nobody could read the result, so `draw_dot`
# refuses graphs over `max_nodes` (500 by default) and says how to get past it.

# %%
big = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
X, y = nn.datasets.make_moons(4, noise=0.1, seed=0)
batch_loss = nn.hinge([big(x) for x in X.tolist()], (2 * y - 1).tolist())
try:
    draw_dot(batch_loss)
except GraphTooLargeError as err:
    print("GraphTooLargeError:", err)

# %% [markdown]
# `collapse=True` draws each innermost cluster as a single box: for `nn`, each neuron,
# with its number of parameters (weights and bias), its z, δ, activation and the
# activation's grad, and one edge per input. (It groups nodes by their annotations, so
# for a batch it would stack four examples into every box; draw one example's graph.)
# The structure is now readable: 16 + 16 + 1 neurons, each showing the δ that backward
# left on its z node. Dead ReLU units, whose $z < 0$, show δ = 0 and stay white: for this
# input no gradient flows back through them.

# %%
tb = big.trace(X[0].tolist())
loss = nn.hinge([tb.outputs], [int(2 * y[0] - 1)])
loss.backward()
dead = sum(1 for layer in tb.deltas()[:-1] for d in layer if d == 0.0)
print(f"hidden neurons with δ = 0 for this input: {dead} of 32")
draw_dot(loss, collapse=True, number_format=".3f", color_by_grad=True)

# %% [markdown]
# ## Backward, one step at a time
# `backward_frames(root)` replays backward in reverse topological order. Frame 0 seeds
# $\partial o/\partial o = 1$; each later frame processes one op node (drawn in red) and
# adds `local derivative × grad` into each of its inputs. Boxes not reached yet show
# `grad ?`. The frames are computed on the side: the Values' own `.grad` are not touched.
#
# Below: the first three frames and the last one, for the neuron from the start.

# %%
frames = backward_frames(o)
print(f"{len(frames)} frames: the seed plus one per op node")
for i in (0, 1, 2, len(frames) - 1):
    display(frames[i])

# %% [markdown]
# `backward_frames` returns a list; as a cell's last expression it shows one frame at a time
# with a slider and ◀ ▶ buttons (the SVGs and a few lines of script, no widget library):

# %%
frames

# %% [markdown]
# The last frame must agree with `backward()`. The frames keep their grads to themselves,
# but the drawings are text: the record label of every box (`{ label | data | grad }`) in
# the last frame should be exactly a box of `draw_dot(o)`, drawn from the real `.grad`s.

# %%
def boxes(drawing):
    return sorted(re.findall(r'label="(\{ .*? \})"', drawing.source))


print("last frame's boxes == draw_dot(o)'s boxes:", boxes(frames[-1]) == boxes(draw_dot(o)))
print("\n".join(boxes(frames[-1])))

# %% [markdown]
# For a slide or a web page, `save_frames` writes the frames as an animated GIF (or one
# SVG per frame, if the path is a directory). Here into a temporary directory:

# %%
with tempfile.TemporaryDirectory() as tmp:
    [gif] = save_frames(frames, Path(tmp) / "backward.gif", duration_ms=900)
    print(f"wrote {gif.name}: {len(frames)} frames, {gif.stat().st_size:,} bytes")

# %% [markdown]
# ## Step through it yourself: `explore`
# Frames are pictures; a student learns more by pressing "next" and watching each number
# arrive. `explore(root)` makes an interactive page on the same Graphviz layout: the
# buttons, the slider or the arrow keys (click the widget first) step through backward one
# node at a time, in the order `backward()` visits them. The node being processed is
# yellow, the boxes it updates are blue, and each chain-rule step is written out with its
# numbers, `p.grad += ∂v/∂p × v.grad`. Gradients not computed yet are blank, and a
# gradient that is still waiting for contributions is shown in italics. The "forward"
# button steps through the values the same way. Click (or Tab to) a box for its op, data,
# grad, parents and local derivatives.
#
# (The controls need JavaScript: they run in a live Jupyter or VS Code session; a notebook
# viewer shows the picture only.)

# %%
from micrograd_like import explore, topological_order

page = explore(o)
page

# %% [markdown]
# Every number on the page is computed in Python from the graph: the local derivatives the
# graph stores, and the gradients `backward()` computes. The page leaves the Values' own
# `.grad` alone. Here are the lines it shows for the first steps, and a check that its
# gradients are those of `backward()`:

# %%
for k, step in enumerate(page.steps[:3]):
    print(f"step {k + 1}: {step.title}")
    for line in step.lines:
        print("    " + line.text)
print("page gradients == backward()'s:", page.grads == [v.grad for v in topological_order(o)])

# %% [markdown]
# `page.save("backprop.html")` writes the page as **one** file that needs nothing else: no
# network, no library, any browser, offline. A link to `backprop.html#step=5` opens it at
# step 5, and `#step=end` at the end, so a teacher can point at one moment of the pass.
# The command line writes the same page:
# `micrograd-like graph "tanh(x*w + b)" --set x=2 --set w=-3 --set b=6.88 --html backprop.html`.
#
# For the 2-2-1 network with its cost, the page names gradients as the drawings do: each z
# shows its δ, and the lines say which δ is being pushed back through which weight. The
# target y and the cost's ½ are constants: grey in the drawing, with no gradient, and the
# page writes no chain-rule line for them either (nothing learns them).

# %%
with tempfile.TemporaryDirectory() as tmp:
    saved = explore(C).save(Path(tmp) / "backprop.html")
    print(f"wrote {saved.name}: {saved.stat().st_size:,} bytes, one file")
explore(C)

# %% [markdown]
# The size guard is `draw_dot`'s: a graph too big to draw is too big to step through, and
# the same `collapse=True` gets past it. For the 2-16-16-1 network at one point the
# page still steps through every one of the graph's edges, but those into a constant; the
# picture shows each neuron as one box.

# %%
big_page = explore(loss, collapse=True, number_format=".3f")
print(f"{len(big_page.steps)} steps, {sum(len(s.lines) for s in big_page.steps)} chain-rule lines")

# %% [markdown]
# ## What to take away
# * Every box's grad is $\partial(\text{root})/\partial(\text{box})$, and each one is built
#   from the grad to its right times a local derivative written on the edge.
# * Colouring by |grad| shows at a glance which parameters this example moves, and which
#   it cannot (zero input, dead ReLU).
# * In an `nn` graph under a cost, the z nodes carry the δ of the backpropagation
#   equations: the picture is the δ recurrence, flowing right to left. Under any other
#   root (a neuron's output) their grad is ∂root/∂z, and the drawing says so.
# * `explore(root)` lets a student step through the same pass, one chain-rule line at a
#   time, and `.save()` hands it out as a single file.
