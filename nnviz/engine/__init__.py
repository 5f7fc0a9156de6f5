"""nnviz's engine: plain numpy, no Qt; training as a plan of named, inspectable operations.

    >>> from nnviz.engine import NetworkSpec, initialize, Stepper
    >>> spec = NetworkSpec.build(12288, [7, 5], 1, "relu", "sigmoid")
    >>> stepper = Stepper(spec, initialize(spec, "he", seed=1), X, Y, learning_rate=0.0075)
    >>> record = stepper.step()          # Z[1] = W[1]·A[0] + b[1]
    >>> record.shape_algebra()           # 'W[1] (7×12288) · A[0] (12288×209) + b[1] (7×1) → 7×209'
"""
from .activations import HIDDEN_ACTIVATIONS, Activation
from .context import Context, Training
from .gradcheck import GradCheckRow, gradient_check
from .network import INITS, OUTPUTS, RNGS, NetworkSpec, initialize
from .operation import Kind, Phase
from .optimizers import OPTIMIZERS
from .plan import PHASES, Operation, build_plan, forward_plan, operation_line, plan_shapes, shape_text, symbol
from .predict import accuracy, predict
from .stepper import HistoryLimitReached, StepRecord, Stepper

__all__ = [
    "HIDDEN_ACTIVATIONS",
    "OPTIMIZERS",
    "Activation",
    "Context",
    "Kind",
    "Phase",
    "Training",
    "forward_plan",
    "INITS",
    "OUTPUTS",
    "PHASES",
    "RNGS",
    "GradCheckRow",
    "HistoryLimitReached",
    "NetworkSpec",
    "Operation",
    "StepRecord",
    "Stepper",
    "accuracy",
    "build_plan",
    "gradient_check",
    "initialize",
    "operation_line",
    "plan_shapes",
    "predict",
    "shape_text",
    "symbol",
]
