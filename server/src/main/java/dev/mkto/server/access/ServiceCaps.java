package dev.mkto.server.access;

/**
 * Optional limits of one custom service, applied under the instance's (an extension Marketo
 * lacks: it lets one integration be kept from starving the others). A null field is no cap.
 */
public record ServiceCaps(Integer rateCalls, Integer rateWindowSeconds, Integer concurrent, Integer dailyQuota) {

    public static final ServiceCaps NONE = new ServiceCaps(null, null, null, null);

    public boolean none() {
        return rateCalls == null && concurrent == null && dailyQuota == null;
    }
}
