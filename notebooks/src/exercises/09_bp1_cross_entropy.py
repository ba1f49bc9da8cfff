# %% [markdown]
# # Exercise 9 · BP1 with the cross-entropy cost
#
# *Sources: M. Nielsen, Neural Networks and Deep Learning, ch. 2, equation BP1, and ch. 3,
# "The cross-entropy cost function".*
#
# A network like exercise 5's, with a single output neuron: a 2-2-1 network of sigmoid
# neurons, Nielsen's layer 1 the input $x$, layer 3 the output neuron. The cost changes, and
# so does the target: $y$ is a number strictly between 0 and 1 (printed below), so that both
# terms of the new cost count. Instead of $\tfrac12 (a - y)^2$ we take the **cross-entropy**
#
# $$ C = -\sum_j \big[\, y_j \ln a^L_j + (1 - y_j) \ln(1 - a^L_j) \,\big], $$
#
# which here, with one output neuron, is a single term:
# $C = -\big[\, y \ln a^3_1 + (1 - y) \ln(1 - a^3_1) \,\big]$. It is never negative, and
# as a function of the output it is smallest exactly when $a^3_1 = y$ (for a target of 0 or 1
# that smallest value is 0): a fair cost. Why change? In exercise
# 5, BP1 gave $\delta^3_1 = (a^3_1 - y)\,\sigma'(z^3_1)$, and $\sigma'(z)$ is tiny wherever
# the sigmoid is flat: an output neuron that is confidently *wrong* learns slowly. Chapter 3
# of Nielsen's book picks the cost so that this factor disappears. You will see it go.
#
# **(a)** Differentiate $C$ with respect to the activation: write $\partial C / \partial a^3_1$
# for the numbers below. (The derivative of $\ln u$ is $1/u$; for $\ln(1 - a)$ the chain rule
# adds a factor $-1$. Put the two terms over one denominator.)

# %%
from nn import exercises as ex

SEED = 0
mlp, x, y = ex.cross_entropy_example(seed=SEED)  # a 2-2-1 network, 0 < y < 1
t = mlp.trace(x)  # the forward pass, keeping every z and a
z3, a3 = t.zs[1][0].data, t.outputs[0].data  # z³₁ and a³₁ = σ(z³₁)
print(mlp)
print(f"x = {x}, y = {y}")
print(f"z³₁ = {z3:.6f}, a³₁ = {a3:.6f}")

# %%
# BEGIN SOLUTION
# −y/a + (1 − y)/(1 − a), over the common denominator a(1 − a)
grad_a = (a3 - y[0]) / (a3 * (1 - a3))
# END SOLUTION
# EXERCISE: grad_a = ...  # ∂C/∂a³₁, from a3 and y

# %%
ex.check_xent_gradient(grad_a, seed=SEED)

# %% [markdown]
# **(b)** BP1 does not care which cost you chose: the output error is always
#
# $$ \delta^L_j = \frac{\partial C}{\partial a^L_j}\; \sigma'(z^L_j),
#    \qquad \sigma'(z) = \sigma(z)\,(1 - \sigma(z)). $$
#
# Compute $\delta^3_1$ from your $\partial C / \partial a^3_1$ and the forward pass.

# %%
# BEGIN SOLUTION
sigma_prime = a3 * (1 - a3)  # σ′(z³₁), since σ(z³₁) = a³₁
delta3 = grad_a * sigma_prime  # BP1
# END SOLUTION
# EXERCISE: delta3 = ...  # δ³₁, by BP1

# %%
ex.check_bp1_cross_entropy(delta3, seed=SEED)

# %% [markdown]
# Now simplify on paper. With a sigmoid output, $\sigma'(z^3_1) = a^3_1 (1 - a^3_1)$ is
# exactly the denominator of your answer to (a), so BP1 becomes
#
# $$ \delta^3_1 = \frac{a^3_1 - y}{a^3_1 (1 - a^3_1)} \cdot a^3_1 (1 - a^3_1) = a^3_1 - y. $$
#
# No $\sigma'$ is left: the error is simply how far the output is from the target. (It is the
# very number exercise 5 turned down as "BP1 without $\sigma'$": right for this cost, wrong
# for the quadratic one.)
#
# Where does that matter? Take an output neuron that is saturated and wrong: $z^L = 6$, so
# $a^L = \sigma(6) \approx 0.9975$, while the target is $y = 0$. BP1 for both costs, computed
# by `nn.analytic`:

# %%
import numpy as np

from nn import analytic as an

z_sat, y_sat = np.array([6.0]), np.array([0.0])  # sure of itself, and wrong
a_sat = an.sigmoid(z_sat)
print(f"a = σ(6) = {a_sat[0]:.6f}, σ′(6) = {an.sigmoid_prime(z_sat)[0]:.6f}, y = 0")
deltas = {}
for cost, name in (("quadratic", "quadratic"), ("cross_entropy", "cross-entropy")):
    deltas[cost] = an.output_error(an.cost_derivative(cost, a_sat, y_sat), z_sat, "sigmoid")[0]
    print(f"δᴸ for the {name:<13} cost: {deltas[cost]:.6f}")  # BP1
print(f"ratio: {deltas['cross_entropy'] / deltas['quadratic']:.0f} = 1/σ′(6)")

# %% [markdown]
# By BP3 and BP4 the gradients of the output neuron's bias and weights are $\delta^L$ times
# 1 or an incoming activation, so with the quadratic cost this badly wrong neuron moves about
# 400 times more slowly than with the cross-entropy. The quadratic cost learns slowest exactly
# when it is most wrong; the cross-entropy learns in proportion to the error $a - y$.
#
# **(c)** Once (b) is right, ask the engine. Build the cross-entropy of the traced output with
# `nn.losses.cross_entropy` and call `backward()`: the gradient of the $z$ node is
# $\partial C / \partial z^3_1$, which is $\delta^3_1$ by definition.

# %%
from nn.losses import cross_entropy

if ex.check_bp1_cross_entropy(delta3, seed=SEED):
    C = cross_entropy([t.outputs], [y])  # −[y ln a³₁ + (1 − y) ln(1 − a³₁)], one example
    C.backward()
    print(f"z.grad  = {t.zs[1][0].grad:.10f}")
    print(f"a³₁ − y = {a3 - y[0]:.10f}")
else:
    print("this cell shows the engine's δ³₁ once yours is right")
