import ArgumentParser
import Foundation
import NumericKit
import SpecgdSupport

/// The root command. `main()` is the process entry point (Sources/specgd/main.swift).
public struct SpecGD: ParsableCommand {
    public static let configuration = CommandConfiguration(
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

    /// Every failure is one line on stderr: `Error: <message>`, and for a command-line
    /// mistake (unknown option, bad choice, missing value; exit status 64) the hint
    /// `(see 'specgd <command> --help')` on the same line instead of the usage block.
    /// --help and --version print as usual; a bare exit code (a failed check) prints nothing more.
    public init() {}

    public static func main() {
        // Process start, before any BLAS call: the right OpenBLAS kernel for this CPU (which may
        // re-execute the process once) and one BLAS thread unless a command asks for more (the
        // thread count is process-wide; library code only reads it).
        BLASKernel.reexecuteWithBestKernel()
        NumericKit.setBLASThreads(1)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            let message = Self.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            if !message.isEmpty {
                let hint = code == .validationFailure ? " (see '\(helpCommand) --help')" : ""
                let line = (message.hasPrefix("Error:") ? "" : "Error: ") + message + hint + "\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
            Foundation.exit(code.rawValue)
        }
    }

    /// `specgd` or `specgd <subcommand>`, from the command line.
    private static var helpCommand: String {
        let names = configuration.subcommands.map { $0.configuration.commandName ?? "" }
        return (CommandLine.arguments.dropFirst().first { names.contains($0) }).map { "specgd \($0)" } ?? "specgd"
    }
}
