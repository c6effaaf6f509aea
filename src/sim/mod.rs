//! The TAE rescan simulator: a faithful stand-in for the real endpoint, used
//! by demo mode, the tests and the benchmarks.
