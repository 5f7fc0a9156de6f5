"""Short explanations of every operation of the plan, written for students."""
from __future__ import annotations

from .network import NetworkSpec
from .operation import Kind, Phase
from .plan import Operation, symbol

_ACTIVATION = {
    "relu": "ReLU keeps positive entries and sets the rest to 0; a unit whose z ≤ 0 outputs 0 and, "
            "in the backward pass, lets no gradient through (g'(z) = 0).",
    "leaky_relu": "Leaky ReLU keeps positive entries and multiplies negative ones by 0.01, so even an "
                  "inactive unit passes a little gradient back (g'(z) = 0.01).",
    "tanh": "tanh squashes every entry into (−1, 1); its slope 1 − tanh²(z) is 1 at 0 and nearly 0 for "
            "|z| > 3, where the unit saturates.",
    "sigmoid": "σ squashes every entry into (0, 1); its slope σ(1 − σ) is at most 1/4, so stacked "
               "sigmoid layers shrink gradients.",
    "linear": "A linear layer passes Z on unchanged (g(z) = z, g'(z) = 1).",
    "softmax": "softmax turns each column into probabilities over the classes (positive, summing to 1).",
}


def _course2(op: Operation, spec: NetworkSpec) -> str | None:
    """The operations of mini-batches, regularisation, batch norm and the optimisers."""
    l = op.layer
    k = spec.keep(l) if 0 < l <= spec.L else 1.0
    texts = {
        Kind.BATCH: (
            "Each epoch shuffles the m examples (π, one permutation of the columns) and cuts them into "
            "mini-batches of b columns: batch t takes π[(t−1)b : tb], the last what is left (300 = 4·64 + 44). Everything below works on these columns "
            "only, so m in 1/m is the batch's size, and every mini-batch ends with an update: t counts updates, "
            "not epochs. With the legacy generator the permutation of epoch e is np.random.seed(s + e + 1); "
            "np.random.permutation(m), as the course's random_mini_batches (s = 10)."),
        Kind.MASK: (
            f"Inverted dropout draws a mask D[{l}] of the shape of A[{l}]: each unit on each example is kept "
            f"with probability keep_prob = {k:g} (1) or dropped (0). nnviz keeps the mask, so the backward pass, "
            "stepping back and the gradient check use exactly the same units. The course's "
            "forward_propagation_with_dropout calls np.random.seed(1) at every pass, so its masks are the same at "
            "every iteration — a quirk the legacy generator reproduces; nnviz's default draws new masks each "
            "iteration. At prediction time there is no dropout."),
        Kind.BN_MEAN: (
            f"Batch norm, step 1: the mean μ[{l}] of each unit's z over the examples of the batch (one number per "
            f"unit, {spec.sizes[l]}×1). b[{l}] is dropped: subtracting μ would cancel it, β[{l}] takes its place."),
        Kind.BN_VAR: f"Batch norm, step 2: the variance σ²[{l}] of each unit's z over the batch (the biased one, 1/m).",
        Kind.BN_NORM: (
            f"Batch norm, step 3: every z is centred and scaled to mean 0 and variance 1 (ε = 1e-5 keeps the "
            "division finite). At prediction time the running averages μ_run and σ²_run stand in for the batch's."),
        Kind.BN_SCALE: (
            f"Batch norm, step 4: γ[{l}] and β[{l}] (learnt like W) give each unit back the scale and offset that "
            "suit it: γ = √(σ² + ε), β = μ would undo the normalisation entirely."),
        Kind.L2: (
            "The L2 penalty (λ/2m)·Σ‖W[l]‖²_F adds the squares of every weight: large weights cost more, so the "
            "network prefers smoother functions. It only enters J and, through its derivative (λ/m)·W[l], dW[l]."),
        Kind.DGAMMA: f"γ[{l}] scaled Ẑ[{l}], so its gradient sums dZ̃[{l}]·Ẑ[{l}] over the examples.",
        Kind.DBETA: f"β[{l}] was added to every column, so its gradient sums dZ̃[{l}] over the examples (like db).",
        Kind.DZHAT: f"Back through Z̃ = γ·Ẑ + β: each row of dZ̃[{l}] is scaled by its γ.",
        Kind.STEP_COUNT: (
            "t counts the updates so far (one per mini-batch). The bias correction divides by 1 − βᵗ: v and s start "
            "at 0, so for small t they are too small; the correction undoes that and fades as t grows."),
        Kind.DECAY: (
            "Learning-rate decay: α shrinks with the epoch, α₀/(1 + rate·epoch), or in steps with an interval: "
            "large steps early, smaller ones near the minimum. (The course's notebook applies each epoch's new α "
            "one epoch late.)"),
        Kind.RUNNING_AVERAGE: (
            "Prediction has no batch to normalise with: an exponentially weighted average of the batches' μ and "
            "σ² stands in for them."),
    }
    if op.kind in texts:
        return texts[op.kind]
    if op.kind == Kind.DROPOUT and op.phase == Phase.FORWARD:
        return (f"Ã[{l}] = A[{l}]·D[{l}]/keep_prob: dropped units output 0, and the kept ones are divided by "
                f"keep_prob = {k:g} so the expected value of each unit stays A[{l}] — that is what makes it "
                "'inverted': prediction needs no rescaling.")
    if op.kind == Kind.DROPOUT:
        return (f"The gradient flows only through the units that were kept: dÃ[{l}]·D[{l}]/keep_prob, the same mask "
                "and the same division as the forward pass.")
    if op.kind == Kind.DZ and op.key.startswith("dZ") and spec.normalised(l) and not op.key.startswith("dZt"):
        return (f"Back through the normalisation: μ[{l}] and σ²[{l}] depend on every z of the batch, so each dZ "
                "collects three terms — its own dẐ, minus the batch's mean of dẐ, minus Ẑ times the mean of dẐ·Ẑ "
                "— divided by √(σ² + ε).")
    if op.kind == Kind.MOMENT:
        name = symbol(op.operands[1])
        if op.key.startswith("v"):
            return (f"An exponentially weighted average of the gradients {name}: β·v + (1 − β)·{name}, roughly the "
                    "mean of the last 1/(1 − β) gradients. Directions that keep changing sign average out, steady "
                    "ones build up speed (momentum). v starts at 0.")
        return (f"An exponentially weighted average of the squared gradients {name}² (entry by entry): it measures "
                "how large each weight's gradients have been. Dividing by √s gives every weight a step of similar "
                "size: RMSprop, and the second half of Adam. s starts at 0.")
    if op.kind == Kind.BIAS_CORRECTION:
        return (f"Bias correction: {symbol(op.operands[0])} started at 0, so early on it is about (1 − βᵗ) of the "
                "average it estimates; dividing by 1 − βᵗ makes it unbiased. At t = 1 it is the gradient itself "
                "(squared for s^corr); after a few hundred updates 1 − βᵗ ≈ 1 and the correction has faded. "
                "v^corr and s^corr are the course's v_corrected and s_corrected (the Adam paper's v and s with hats).")
    return None


def _forward(op: Operation, spec: NetworkSpec) -> str:
    l = op.layer
    n_l, n_prev = spec.weight_shape(l)
    if op.kind == "linear" and spec.normalised(l):
        return (f"Z[{l}] = W[{l}]·A[{l - 1}] without b[{l}]: batch norm subtracts the batch's mean next, which would "
                f"cancel any b[{l}]; β[{l}] plays its part.")
    if op.kind == "linear":
        text = (
            f"Each column of A[{l - 1}] is one example. W[{l}] ({n_l}×{n_prev}) maps it to {n_l} "
            f"weighted sums, and b[{l}] ({n_l}×1) is added to every column (numpy broadcasting). "
            f"Z[{l}] is kept in the cache: the backward pass needs g'(Z[{l}])."
        )
        if l == 1:
            text += (
                " A slip in the notes' template: it writes Z = Wᵀ·A. With W stored as (n[l], n[l−1]) the "
                "product is W·A; Wᵀ·A only multiplies at all when n[l] = n[l−1], and then computes something else."
            )
        return text
    text = f"A[{l}] = g(Z[{l}]) entry by entry. {_ACTIVATION[spec.activation(l)]}"
    if l == spec.L:
        return text + f" A[{l}] is the network's prediction."
    return text + f" A[{l}] feeds layer {l + 1} and is cached: dW[{l + 1}] = dZ[{l + 1}]·A[{l}]ᵀ needs it."


def _cost(spec: NetworkSpec) -> str:
    L = spec.L
    if spec.output == "sigmoid":
        return (
            "The cross-entropy averages the loss of the m examples (the 1/m): −ln A for a 1 label, "
            f"−ln(1 − A) for a 0 label. nnviz evaluates ln A[{L}] and ln(1 − A[{L}]) from Z[{L}] "
            "(ln σ(z) = −ln(1 + e^−z)): the same numbers, without log(0) when A rounds to exactly 0 or 1."
        )
    if spec.output == "softmax":
        return (
            f"The categorical cross-entropy averages −ln of the probability A[{L}] gives the right class "
            f"(Y is one-hot). nnviz takes ln A[{L}] from Z[{L}] (log-softmax), so it never takes log(0)."
        )
    return "Half the mean of the squared errors over the m examples; the ½ makes its derivative A − Y."


def _backward(op: Operation, spec: NetworkSpec) -> str:
    l, L = op.layer, spec.L
    n_l, n_prev = spec.weight_shape(l)
    if op.kind == "dA" and op.key == f"dA{L}":
        text = (
            f"∂J/∂A[{L}]: how the cost changes with each output. In these notes the cost's 1/m lives "
            "here, so dZ, dW and db below already carry it and dW = dZ·A[l−1]ᵀ has no 1/m of its own "
            "(the other common convention divides dW and db by m instead: the gradients are equal)."
        )
        if spec.output == "sigmoid":
            text += (
                f" nnviz writes 1/A and 1/(1 − A) as 1 + e^−z and 1 + e^z from Z[{L}], so dA[{L}] stays "
                "finite even where A rounds to 0 or 1."
            )
        return text
    if op.kind == "dA":
        return (
            f"The gradient travels back through the weights: W[{l}]ᵀ ({n_prev}×{n_l}) · dZ[{l}] ({n_l}×m) "
            f"gives one entry per unit of layer {l - 1} and example. It uses W[{l}] as the forward pass "
            "used it: that is why the updates wait until the backward pass is over. dA[0] is never "
            "computed: A[0] = X is data, nothing to learn, and on a wide input it would cost as much as "
            "the forward product."
        )
    if op.kind == "dZ" and l == L:
        simple = {"sigmoid": f"(A[{L}] − Y)/m", "softmax": f"(A[{L}] − Y)/m", "linear": f"(A[{L}] − Y)/m"}
        return (
            f"The chain rule through the output activation. With its matching loss it simplifies to "
            f"{simple[spec.output]}: prediction minus label, averaged — the classic output gradient."
        )
    if op.kind == "dZ":
        return (
            f"Entry by entry, not a matrix product: each entry of dA[{l}] is scaled by the slope "
            f"g'(Z[{l}]) of its unit on its example — this is why Z[{l}] was cached. "
            + _ACTIVATION[spec.activation(l)]
        )
    if op.kind == "dW" and len(op.operands) == 3:
        return (f"dZ[{l}]·A[{l - 1}]ᵀ as without regularisation, plus the derivative of the L2 term, (λ/m)·W[{l}]: "
                "every weight is pulled towards 0 in proportion to its size ('weight decay').")
    if op.kind == "dW":
        text = (
            f"dZ[{l}] ({n_l}×m) · A[{l - 1}]ᵀ (m×{n_prev}) adds up, over the m examples, the error at "
            f"each unit times the input that fed it: one number per weight, the shape of W[{l}] "
            f"({n_l}×{n_prev}). No 1/m here: dA[{L}] already carries it."
        )
        return text + (
            " A slip in the notes' template: it writes A[l+1]ᵀ here. The right index is l−1, the "
            f"activation that W[{l}] multiplied in the forward pass."
        )
    return (
        f"b[{l}] was added to every column, so its gradient is dZ[{l}] summed over the examples "
        "(axis 1, kept as a column). No 1/m here either."
    )


def _update(op: Operation) -> str:
    param = symbol(op.key)
    after = (" The updates come after the whole backward pass, because dA[l−1] = W[l]ᵀ·dZ[l] needed the "
             "weights of the forward pass.")
    if len(op.operands) == 3 and op.operands[1].startswith("vhat"):
        return (f"Adam: {param} moves by α·v^corr/(√s^corr + ε): the direction of the averaged gradient, each entry scaled "
                "by how large its gradients have been, so the step is about α whatever the gradient's size. ε "
                "keeps the division finite where s^corr is 0." + after)
    if len(op.operands) == 3:
        return (f"RMSprop: {param} moves by α·d{param}/(√s + ε): large, noisy gradients are damped and small "
                "steady ones amplified." + after)
    if op.operands[1].startswith("v"):
        return f"Momentum: {param} moves by α times the averaged gradient v instead of the latest one." + after
    return f"Gradient descent: {param} takes a step of size α against its gradient d{param}." + after


def explain(op: Operation, spec: NetworkSpec) -> str:
    """A few sentences on what ``op`` does and why, in the notes' notation."""
    text = _course2(op, spec)
    if text is not None:
        return text
    if op.phase == "forward":
        return _forward(op, spec)
    if op.phase == "cost":
        return _cost(spec)
    if op.phase == "backward":
        return _backward(op, spec)
    return _update(op)


NOTES_SLIPS = (
    "Three slips in the notes that nnviz does not copy: the template writes Z = Wᵀ·A (with W of shape "
    "(n[l], n[l−1]) it is W·A); it writes dW = dZ·A[l+1]ᵀ (the index is l−1); and it calls "
    "np.random.rand normal, though rand is uniform on [0, 1) — so rand·√(2/n) is not He "
    "initialisation (which needs randn): every weight starts positive."
)
