package dev.kelp.operator.server;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The server's key, swappable while it runs: a renewed or re-mounted certificate takes effect
 * on the next handshake, without restarting the listener or dropping open connections.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {

    private static final String ALIAS = "kelp-serving";

    private record Entry(PrivateKey key, X509Certificate[] chain) {
    }

    private volatile Entry current;

    ReloadingKeyManager(CertificateBundle bundle) {
        use(bundle);
    }

    void use(CertificateBundle bundle) {
        current = new Entry(bundle.key(), bundle.chain());
    }

    X509Certificate leaf() {
        return current.chain()[0];
    }

    private String aliasFor(String keyType) {
        // JSSE asks once per key type it could use; answering for the wrong algorithm would
        // make it pick a signature scheme our key cannot produce.
        String algorithm = current.key().getAlgorithm();
        boolean matches = keyType.equals(algorithm) || (keyType.startsWith("RSA") && "RSA".equals(algorithm))
            || (keyType.startsWith("EC") && "EC".equals(algorithm));
        return matches ? ALIAS : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = aliasFor(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? current.chain().clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? current.key() : null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
