"""Checks an ONNX model file with the official checker and prints a JSON summary.

Usage: python3 onnx_check.py MODEL.onnx

Exit codes: 0 valid (JSON on stdout), 1 invalid (the checker's message on stderr),
2 usage error, 3 the `onnx` Python module is not installed.
"""

import json
import sys

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_NO_ONNX = 3


def main(argv):
    if len(argv) != 2:
        print("usage: onnx_check.py MODEL.onnx", file=sys.stderr)
        return EXIT_USAGE
    try:
        import onnx
    except ImportError as error:
        print("the onnx Python module is not installed (%s)" % error, file=sys.stderr)
        return EXIT_NO_ONNX

    try:
        model = onnx.load(argv[1])
        # full_check also runs strict shape inference with type checking over the graph.
        onnx.checker.check_model(model, full_check=True)
    except Exception as error:  # the checker raises several exception types
        print("%s: %s" % (type(error).__name__, error), file=sys.stderr)
        return EXIT_INVALID

    summary = {
        "onnx_version": onnx.__version__,
        "ir_version": model.ir_version,
        "opsets": {entry.domain or "ai.onnx": entry.version for entry in model.opset_import},
        "producer": model.producer_name,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
