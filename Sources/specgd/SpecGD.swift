import ArgumentParser
import NumericKit
import SpecgdSupport

@main
struct SpecGD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "specgd",
        abstract: "Gradient descent vs spectral gradient descent on anisotropic phase retrieval.",
        discussion: """
        Model: x ~ N(0, Σ), Σ = I + λvvᵀ (v ⟂ θ*), target y = (θ*ᵀx)², network f_W(x) = ‖Wᵀx‖², \
        loss L = ¼E[(f_W − y)²]. GD: W ← W − η̃∇L. SpecGD (Muon's idea): W ← W − η·polar(∇L).
        From W₀ = αI the dynamics stay on diag(a, b, c, …, c): a = signal, b = spike, c = bulk.

        Start with `specgd theory --help` (exact summary maps and ODE flows), \
        `specgd simulate --help` (dense finite-d training) and `specgd compare --help`.
        """,
        version: SpecgdVersion.string,
        subcommands: [
            InfoCommand.self,
            TheoryCommand.self,
            SimulateCommand.self,
            CompareCommand.self,
            CheckEscapeCommand.self,
            FiguresCommand.self,
            ExportNotebookCommand.self,
            SweepCommand.self,
            MergeCommand.self,
            PlotPhaseCommand.self,
        ])
}

extension SpecGD {
    /// Process start, before any BLAS call: the right OpenBLAS kernel for this CPU (which may
    /// re-execute the process once) and one BLAS thread unless a command asks for more (the
    /// thread count is process-wide; library code only reads it). Then the usual parsing.
    static func main() {
        BLASKernel.reexecuteWithBestKernel()
        NumericKit.setBLASThreads(1)
        main(nil)
    }
}
