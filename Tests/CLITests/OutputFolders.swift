import Foundation

/// One folder of every kind, made once per test run by the real commands, as scripts/demo
/// lays them out: DIR/compare, DIR/check-escape, DIR/figures and DIR/sweep (two metrics, one
/// with no-escape cells, drawn by plot-phase, log colour on one, and a GD-vs-SpecGD
/// comparison against DIR/sweep-specgd). The notebook and report tests read them; none writes
/// into them except `report` (report.html).
struct OutputFolders: Sendable {
    let root: String
    var compare: String { root + "/compare" }
    var checkEscape: String { root + "/check-escape" }
    var figures: String { root + "/figures" }
    var sweep: String { root + "/sweep" }
    var sweepSpecGD: String { root + "/sweep-specgd" }

    static let shared: Result<OutputFolders, OutputFoldersError> = make()

    struct OutputFoldersError: Error, CustomStringConvertible { let description: String }

    static func get() throws -> OutputFolders { try shared.get() }

    private static func make() -> Result<OutputFolders, OutputFoldersError> {
        do {
            let folders = OutputFolders(root: try SpecgdProcess.temporaryDirectory())
            let grid = ["--grid", "lambda=0.5:4:4", "--grid", "lr=1e-4:1e-2:3:log", "--dim", "50", "--steps", "2000", "--jobs", "2"]
            let steps: [[String]] = [
                ["compare", "--methods", "gd,specgd", "--dim", "12", "--steps", "150", "--lr", "0.01", "--init", "gaussian",
                 "--seeds", "2", "--output-dir", folders.compare],
                ["check-escape", "--lambdas", "1,8", "--dim", "12", "--seeds", "2", "--output-dir", folders.checkEscape],
                ["figures", "--quick", "--output-dir", folders.figures],
                ["sweep"] + grid + ["--metric", "escape_step,alignment_at_escape", "--output-dir", folders.sweep],
                ["sweep", "--method", "specgd"] + grid + ["--metric", "escape_step", "--output-dir", folders.sweepSpecGD],
                ["plot-phase", folders.sweep, "--metric", "escape_step", "--log-color"],
                ["plot-phase", folders.sweep, "--metric", "alignment_at_escape"],
                ["plot-phase", folders.sweep, folders.sweepSpecGD, "--metric", "escape_step"],
            ]
            for arguments in steps {
                let result = try SpecgdProcess.run(arguments)
                guard result.status == 0 else {
                    return .failure(OutputFoldersError(description: "specgd \(arguments.joined(separator: " ")) failed: \(result.stderr)"))
                }
            }
            return .success(folders)
        } catch {
            return .failure(OutputFoldersError(description: "\(error)"))
        }
    }
}
