import ArgumentParser
import SpecgdSupport

// Placeholder: replaced by the issue that implements `specgd plot-phase`.
struct PlotPhaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plot-phase", abstract: "Draw a phase diagram from a sweep. (not yet implemented)")

    func run() throws {
        throw InputError("specgd plot-phase is not implemented yet")
    }
}
