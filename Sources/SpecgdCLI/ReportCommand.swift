import Model
import ArgumentParser
import Foundation
import PlotRecipes
import Reports
import SpecgdSupport

/// `specgd report`: one self-contained HTML page for an output folder, to read or to send.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write DIR/report.html: one self-contained page of a folder's figures, checks, statuses and provenance.",
        discussion: """
        Works on any output folder and its sub-folders (scripts/demo's, compare, check-escape, figures, theory \
        and simulate runs, sweep, a `specgd run` folder), told as a story: the escape-stage verdict and how each \
        run ended first; then one section per folder, the headline figure's first (a figure set, compare, runs, \
        check-escape, sweeps), each with its figures first — the figure set in its own order, a theory or \
        simulate folder's trajectories drawn from its CSVs, every SVG as an <img> with its recipe's title and \
        links to PNG/PDF versions — then its checks (the escape predictions' PASS / FAIL / not-checkable table \
        with prediction, measurement, relative error, tolerance and reason; compare's deviation report per \
        method and statistic; a run's steps), the commands that made it and its files. One folded provenance \
        block ends the page: the version, commit, machine and BLAS the records share, then per record only \
        what differs, and each configuration. Records are decoded through their writers' types; one that does \
        not decode is refused in one line naming the file. The page loads nothing from the network (no \
        scripts, fonts or stylesheets) and links files relative to itself, so keep it in the folder (or send \
        the folder). What the folder holds is untrusted: names and strings are escaped, an SVG is shown as an \
        <img> (its scripts never run) and symbolic links are not followed.
        Example: specgd report out/demo   (→ out/demo/report.html)
        """)

    @Argument(help: ArgumentHelp("The output folder to report on; the page is written into it.", valueName: "dir"))
    var directory: String

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("\(directory) is not a directory")
        }
        try OutputPath.checkFolder(directory, for: "report \(directory)")
        let page = (directory as NSString).appendingPathComponent(HTMLReport.fileName)
        try OutputPath.checkReplaceable(page, label: "report \(directory): \(page)")
    }

    func run() throws {
        print("report: \(try HTMLReport.write(directory: directory))")
    }
}
