import Model
import ArgumentParser
import Foundation
import Machine
import SpecgdSupport

/// `specgd info`: the machine block every run record carries, for a bug report or a
/// reproducibility note (results are bit-identical only for the same processor, BLAS kernel
/// and thread count).
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print the machine every run record describes: CPU, BLAS kernel and threads, GSL, commit.",
        discussion: """
        The same fields appear as the "machine" block of every JSON record specgd writes. The BLAS kernel is \
        OpenBLAS's own choice, the user's OPENBLAS_CORETYPE, or specgd's: when OpenBLAS falls back to a kernel \
        slower than the CPU executes (Debian 12's OpenBLAS 0.3.21 runs its generic Prescott kernels on CPUs \
        newer than it knows), specgd restarts itself once with OPENBLAS_CORETYPE set to the best kernel the CPU \
        executes (SkylakeX for AVX-512, Haswell or Zen for AVX2 + FMA) and says so in one stderr line.
        Example: specgd info --json
        """)

    @Flag(help: "Print the machine block as JSON.")
    var json = false

    @Flag(name: .customLong("blas-kernel"), help: "Print only the BLAS kernel name (for scripts: OPENBLAS_CORETYPE=$(specgd info --blas-kernel)).")
    var blasKernel = false

    @Flag(name: .customLong("blas-env"), help: "Print the shell assignments that give other processes the same kernel choice (empty when OpenBLAS chose by itself or the user did): eval \"$(specgd info --blas-env)\".")
    var blasEnvironment = false

    func run() throws {
        let machine = MachineDescription.current
        if blasEnvironment {
            if machine.blas.kernelChosenBy == .specgd {
                print("export \(BLASKernel.coreTypeVariable)=\(machine.blas.kernel) \(BLASKernel.chosenVariable)=\(machine.blas.kernel)")
            }
        } else if blasKernel {
            print(machine.blas.kernel)
        } else if json {
            print(String(decoding: try JSONOutput.encode(machine), as: UTF8.self), terminator: "")
        } else {
            print(machine.summaryLines.joined(separator: "\n"))
        }
    }
}
