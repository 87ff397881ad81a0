package chatcache;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionTest {
    @Test
    void theBuildWritesItsVersionAndTheCommandLinePrintsIt() {
        assertTrue(Version.current().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), "Maven's version, filtered in: " + Version.current());
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new App());
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("--version"));
        assertTrue(out.toString().startsWith("chatcache " + Version.current() + System.lineSeparator()), out.toString());
    }
}
