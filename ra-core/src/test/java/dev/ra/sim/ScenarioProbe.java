package dev.ra.sim;

import java.nio.file.Files;
import java.nio.file.Path;

/** Manual probe: runs a scenario script file and prints each command's output. */
public final class ScenarioProbe
{
    private ScenarioProbe()
    {
    }

    /**
     * @param args the script path.
     * @throws Exception on I/O failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final ScenarioRunner runner = new ScenarioRunner();
        for (final String line : Files.readAllLines(Path.of(args[0])))
        {
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            System.out.println("> " + line);
            System.out.print(runner.run(line));
        }
        System.out.println("safety: " + runner.safetyProblem());
    }
}
