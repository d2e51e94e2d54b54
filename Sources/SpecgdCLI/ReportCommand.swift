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
        abstract: "Write DIR/report.html: one self-contained page of a folder's figures, checks, deviations and records.",
        discussion: """
        Works on any output folder and its sub-folders (scripts/demo's, compare, check-escape, figures, \
        sweep, a `specgd run` folder). For each folder the page holds: the commands that made it; every SVG \
        figure as an image (with its recipe's title and links to PNG/PDF versions when present); the escape checks' \
        PASS / FAIL / not-checkable table with prediction, measurement, relative error, tolerance and reason \
        (escape-check.json); compare's deviation report per method and statistic (report.json); a run's steps \
        (run.json); each record's version, commit, processor and BLAS kernel, the machine block and each \
        configuration; and links to every file. The page loads nothing from the network (no scripts, fonts or \
        stylesheets) and links files relative to itself, so keep it in the folder (or send the folder). \
        What the folder holds is untrusted: names and strings are escaped, an SVG is shown as an <img> (its \
        scripts never run) and symbolic links are not followed.
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
