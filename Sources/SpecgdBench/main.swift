// specgd-bench: the timing entry points of scripts/bench-all, scripts/bench-theory and
// scripts/bench/*.py. Not part of specgd's user interface or library API.
import Machine
import Model
import NumericKit
import SpecgdSupport

// As `specgd` does at start: the right OpenBLAS kernel for this CPU and one BLAS thread.
BLASKernel.reexecuteWithBestKernel()
NumericKit.setBLASThreads(1)
SpecgdBench.main()
