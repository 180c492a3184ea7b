//! End-to-end and compile tests; see tests/tests/.
