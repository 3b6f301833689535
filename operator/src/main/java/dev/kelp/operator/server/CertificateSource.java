package dev.kelp.operator.server;

/** Where the serving certificate comes from; asked again on every refresh, so it may change. */
@FunctionalInterface
public interface CertificateSource {

    /** The certificate to serve now: issued, renewed or re-read as the source sees fit. */
    CertificateBundle load();
}
