# %% [markdown]
# # Exercise 5 · The error of the output neuron (BP1)
#
# *Sources: M. Nielsen, Neural Networks and Deep Learning, ch. 2, equation BP1; the wiki
# article "Backpropagation" (Brilliant), section "The Output Layer"; A. Karpathy's micrograd
# lecture.*
#
# A 2-2-1 network of sigmoid neurons, in Nielsen's numbering: layer 1 is the input $x$,
# layer 2 has two hidden neurons, layer 3 one output neuron. For one example $(x, y)$ the
# cost is $C = \tfrac12 (a^3_1 - y)^2$.
#
# The **error** of a neuron is how strongly the cost reacts to its weighted input,
# $\delta^l_j = \partial C / \partial z^l_j$. At the output, BP1 says
#
# $$ \delta^L_j = \frac{\partial C}{\partial a^L_j}\; \sigma'(z^L_j),
#    \qquad \sigma'(z) = \sigma(z)\,(1 - \sigma(z)). $$
#
# Compute $\delta^3_1$ from the numbers of the forward pass below, without `backward()`.

# %%
from nn import exercises as ex

mlp, x, y = ex.tiny_network()
t = mlp.trace(x)  # the forward pass, keeping every z and a
z3, a3 = t.zs[1][0].data, t.outputs[0].data  # z³₁ and a³₁ = σ(z³₁)
print(mlp)
print(f"x = {x}, y = {y}")
print(f"z³₁ = {z3:.6f}, a³₁ = {a3:.6f}")

# %%
# BEGIN SOLUTION
dC_da = a3 - y[0]  # ∂C/∂a for C = ½(a − y)²
sigma_prime = a3 * (1 - a3)  # σ′(z³₁) = σ(z)(1 − σ(z)), and σ(z³₁) = a³₁
delta3 = dC_da * sigma_prime
# END SOLUTION
# EXERCISE: delta3 = ...  # δ³₁, from z3, a3 and y

ex.check_bp1(delta3)

# %% [markdown]
# Once your answer is right, compare with the engine: after `C.backward()`, the z node's
# gradient *is* $\delta^3_1$.

# %%
import nn

if ex.check_bp1(delta3):
    C = nn.quadratic([t.outputs], [y])  # ½ (a³₁ − y)² for one example
    C.backward()
    print(f"z.grad = {t.zs[1][0].grad:.10f}, yours = {delta3:.10f}")
else:
    print("this cell shows the engine's δ³₁ once yours is right")
