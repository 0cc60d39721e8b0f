package dev.ra.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Regression: a port was free until its node bound it, so two picks of the same port (two nodes of one test, or a
 * later test while an earlier test's node still listened) failed a node's start with "Address already in use".
 */
class LoopbackPortsTest
{
    @Test
    void aPortIsNeverHandedOutTwice()
    {
        final Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 1_000; i++)
        {
            // Not bound in between, as a test's nodes are not until they start: each is free when picked.
            assertThat(ports.add(LoopbackPorts.freePort())).as("pick %d handed out a port again", i).isTrue();
        }
    }
}
