"""softmax_course: the shared code of the softmax-regression course.

Every algorithm a chapter teaches lives here, once, with tests; chapters import it and show its
source with :func:`show_source` instead of pasting a second copy.
"""
from .core import cross_entropy, cross_entropy_grad, log_softmax, logsumexp, one_hot, softmax
from .display import show_source

__all__ = ["logsumexp", "softmax", "log_softmax", "one_hot", "cross_entropy",
           "cross_entropy_grad", "show_source"]
__version__ = "0.1.0"
