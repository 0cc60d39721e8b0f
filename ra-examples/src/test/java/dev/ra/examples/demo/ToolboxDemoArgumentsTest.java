package dev.ra.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The demo's command line: nothing (the demo as it always ran) or {@code --admin-port N}; anything else is refused
 * with what was expected.
 */
class ToolboxDemoArgumentsTest
{
    @Test
    void noArgumentMeansNoLiveView()
    {
        assertThat(ToolboxDemo.adminPort(new String[0])).isNull();
    }

    @Test
    void adminPortTakesAPortNumber()
    {
        assertThat(ToolboxDemo.adminPort(new String[] {"--admin-port", "8080"})).isEqualTo(8080);
        assertThat(ToolboxDemo.adminPort(new String[] {"--admin-port", "0"})).isZero();
    }

    @Test
    void anythingElseIsRefusedWithTheUsage()
    {
        assertThatThrownBy(() -> ToolboxDemo.adminPort(new String[] {"--admin-port"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("usage");
        assertThatThrownBy(() -> ToolboxDemo.adminPort(new String[] {"--port", "1"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("usage");
        assertThatThrownBy(() -> ToolboxDemo.adminPort(new String[] {"--admin-port", "http"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http");
        assertThatThrownBy(() -> ToolboxDemo.adminPort(new String[] {"--admin-port", "70000"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
    }
}
