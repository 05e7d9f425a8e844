"""softmax_course: the teaching library of the softmax-regression course.

Every algorithm a chapter teaches lives here, once, with tests; chapters import it and show its
source with :func:`show_source` instead of pasting a second copy. The course's own machinery
(re-executing notebooks, the student edition, grading, benchmarks, the PDF, the Sphinx
extension) is in the subpackage :mod:`softmax_course.tools`, which nothing here imports.

=================  ==============================================================  ========
module             what it holds                                                   chapters
=================  ==============================================================  ========
``core``           logsumexp, softmax, log_softmax, one_hot, cross_entropy and      01, 04-08
                   its gradient
``data``           toy cat/chicken/dog images, digits split, Fashion-MNIST,         01-03, 08
                   minibatches
``model``          SoftmaxRegression (W of shape d×q), the PHM layer                02, 03, 08
``diagrams``       the network diagram                                             02
``timing``         one sample at a time against one matrix product                 05
``calculus``       finite differences, the softmax Jacobian, the CE Hessian         04, 06
``info``           surprisal, entropy, cross-entropy, KL in nats or bits            06, 07
``coding``         Huffman codes, Kraft sums, block codes                          07
``metrics``        accuracy, confusion matrix, top-k, calibration                  08
``train``          minibatch SGD: sgd_step, fit and its history                    03, 08
``plots``          one matplotlib style with the Chinese font; figures with alt     all
``display``        show_source, tables                                             all
``widgets``        the explorers (computations are plain functions)                 04, 06-08
``exercises``      the self-checks of the exercises (formative feedback)           all
=================  ==============================================================  ========
"""
from .core import cross_entropy, cross_entropy_grad, log_softmax, logsumexp, one_hot, softmax
from .display import show_source

__all__ = ["logsumexp", "softmax", "log_softmax", "one_hot", "cross_entropy",
           "cross_entropy_grad", "show_source"]
__version__ = "0.1.0"
