import Foundation
import SpecgdSupport
import Testing

/// Column names are the one text in a CSV (values are numbers): a name with a comma, a quote or
/// a line break (a custom group's `s_<name>`) is quoted as RFC 4180 says, and read back whole.
@Suite struct TableCSVTests {
    @Test func namesWithCommasQuotesAndLineBreaksRoundTrip() throws {
        let names = ["step", "s_x,y", "s_say \"hi\"", "s_two\nlines", "s_cr\r\nlf", "plain"]
        var table = Table(columns: names)
        table.append([0, 1, 2, 3, 4, .nan])
        table.append([1, 1.5, -2, .infinity, 4e-300, 6])
        let text = table.csv
        #expect(text.hasPrefix("step,\"s_x,y\",\"s_say \"\"hi\"\"\",\"s_two\nlines\",\"s_cr\r\nlf\",plain\n"), "\(text)")
        let back = try Table.parseCSV(text)
        #expect(back.columns == names)
        #expect(back.rows.count == 2 && back.rows[1] == table.rows[1] && back.rows[0][5].isNaN)
        // Plain names are written as before.
        #expect(Table(columns: ["a", "b_c"]).csv == "a,b_c\n")
    }
}
