package dev.ra;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link ServerId} writes out its hash and equality (the generated ones were slower on the hot path); they must stay
 * what a record's would be: the iteration order of a hash map keyed by server ids follows the hash, and the
 * simulation's seeds replay their traces only if it does not change.
 */
class ServerIdTest
{
    @Test
    void theHashIsTheRecordsOwn()
    {
        for (final String name : new String[] {"a", "orders", "c9999"})
        {
            for (final String node : new String[] {"n1", "node-2", "z"})
            {
                assertThat(new ServerId(name, node).hashCode()).as(name + "@" + node)
                    .isEqualTo(31 * name.hashCode() + node.hashCode());
            }
        }
    }

    @Test
    void idsAreEqualExactlyWhenBothPartsAre()
    {
        final ServerId id = new ServerId("orders", "n1");

        assertThat(id).isEqualTo(new ServerId("orders", "n1")).isEqualTo(ServerId.parse("orders@n1"));
        assertThat(id).isNotEqualTo(new ServerId("orders", "n2")).isNotEqualTo(new ServerId("order", "n1"))
            .isNotEqualTo("orders@n1").isNotEqualTo(null);
    }
}
