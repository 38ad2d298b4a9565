package dev.mkto.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpRulesTest {

    private static InetAddress ip(String s) {
        return IpRules.literal(s).orElseThrow();
    }

    private static boolean allows(List<String> entries, String address) {
        return IpRules.compile(entries).allows(ip(address));
    }

    @Test
    void allowsWhenSingleAddressThenOnlyThatAddressInBothFamilies() {
        assertThat(allows(List.of("203.0.113.7"), "203.0.113.7")).isTrue();
        assertThat(allows(List.of("203.0.113.7"), "203.0.113.8")).isFalse();
        assertThat(allows(List.of("2001:db8::1"), "2001:0db8:0:0:0:0:0:1")).isTrue();
        assertThat(allows(List.of("2001:db8::1"), "2001:db8::2")).isFalse();
        assertThat(allows(List.of("127.0.0.1"), "::ffff:127.0.0.1")).isTrue();
    }

    @Test
    void allowsWhenRangeThenInclusiveBounds() {
        List<String> range = List.of("192.168.1.10-192.168.1.20");
        assertThat(allows(range, "192.168.1.10")).isTrue();
        assertThat(allows(range, "192.168.1.20")).isTrue();
        assertThat(allows(range, "192.168.1.21")).isFalse();
        assertThat(allows(range, "192.168.1.9")).isFalse();
        assertThat(allows(List.of("2001:db8::10-2001:db8::ff"), "2001:db8::80")).isTrue();
    }

    @Test
    void allowsWhenWildcardThenEveryValueOfTheStarredOctets() {
        assertThat(allows(List.of("10.0.*.*"), "10.0.255.1")).isTrue();
        assertThat(allows(List.of("10.0.*.*"), "10.1.0.1")).isFalse();
        assertThat(allows(List.of("10.0.0.*"), "10.0.0.200")).isTrue();
    }

    @Test
    void allowsWhenCidrThenTheBlockOnly() {
        assertThat(allows(List.of("10.0.0.0/8"), "10.200.3.4")).isTrue();
        assertThat(allows(List.of("10.0.0.0/8"), "11.0.0.1")).isFalse();
        assertThat(allows(List.of("2001:db8::/32"), "2001:db8:ffff::1")).isTrue();
        assertThat(allows(List.of("2001:db8::/32"), "2001:db9::1")).isFalse();
        assertThat(allows(List.of("0.0.0.0/0"), "8.8.8.8")).isTrue();
        assertThat(allows(List.of("0.0.0.0/0"), "2001:db8::1")).isFalse();
        assertThat(allows(List.of("::/0"), "2001:db8::1")).isTrue();
    }

    @Test
    void compileWhenEntryIsMalformedThenRefusedNamingIt() {
        for (String bad : List.of("10.0.0.300", "10.0.*.1", "10.0.0.0/33", "2001:db8::/129", "192.168.1.20-192.168.1.10",
                "10.0.0.1-2001:db8::1", "example.com", "", "10.0.0", "1.2.3.4/x", "*.*.*.*.*")) {
            assertThatThrownBy(() -> IpRules.compile(List.of(bad))).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void clientWhenPeerIsATrustedProxyThenTheRightMostUntrustedForwardedAddress() {
        IpRules proxies = IpRules.compile(List.of("127.0.0.1", "10.0.0.0/8"));
        assertThat(Allowlist.client(ip("127.0.0.1"), List.of("203.0.113.9, 10.1.1.1"), proxies)).isEqualTo(ip("203.0.113.9"));
        assertThat(Allowlist.client(ip("127.0.0.1"), List.of("198.51.100.1", "203.0.113.9"), proxies)).isEqualTo(ip("203.0.113.9"));
        assertThat(Allowlist.client(ip("127.0.0.1"), List.of("[2001:db8::5]:443"), proxies)).isEqualTo(ip("2001:db8::5"));
        assertThat(Allowlist.client(ip("127.0.0.1"), List.of("garbage, 203.0.113.9"), proxies)).isEqualTo(ip("203.0.113.9"));
        assertThat(Allowlist.client(ip("198.51.100.7"), List.of("203.0.113.9"), proxies)).isEqualTo(ip("198.51.100.7"));
        assertThat(Allowlist.client(ip("127.0.0.1"), List.of("203.0.113.9"), IpRules.NONE)).isEqualTo(ip("127.0.0.1"));
    }
}
