package framework

import (
	"fmt"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// kubeconfigContext is the cluster, user and context name written into generated kubeconfig files.
const kubeconfigContext = "edgewatcher-test"

// writeKubeconfig writes a kubeconfig at path that trusts caPEM for server and authenticates with the client key pair.
func writeKubeconfig(path, server string, caPEM []byte, client *KeyPair) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[kubeconfigContext] = &clientcmdapi.Cluster{
		Server:                   server,
		CertificateAuthorityData: caPEM,
	}
	cfg.AuthInfos[kubeconfigContext] = &clientcmdapi.AuthInfo{
		ClientCertificateData: client.CertPEM,
		ClientKeyData:         client.KeyPEM,
	}
	cfg.Contexts[kubeconfigContext] = &clientcmdapi.Context{
		Cluster:  kubeconfigContext,
		AuthInfo: kubeconfigContext,
	}
	cfg.CurrentContext = kubeconfigContext
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return nil
}

// restConfigFor returns a client config for server that trusts caPEM and authenticates with the client key pair.
func restConfigFor(server string, caPEM []byte, client *KeyPair) *rest.Config {
	return &rest.Config{
		Host: server,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   caPEM,
			CertData: client.CertPEM,
			KeyData:  client.KeyPEM,
		},
		QPS:   100,
		Burst: 200,
	}
}

// KubeconfigForToken writes a kubeconfig in the control plane's directory that authenticates with a bearer token.
func (cp *ControlPlane) KubeconfigForToken(name, token string) (string, error) {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[kubeconfigContext] = &clientcmdapi.Cluster{Server: cp.URL, CertificateAuthorityData: cp.PKI.ServerCA.CertPEM}
	cfg.AuthInfos[kubeconfigContext] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[kubeconfigContext] = &clientcmdapi.Context{Cluster: kubeconfigContext, AuthInfo: kubeconfigContext}
	cfg.CurrentContext = kubeconfigContext
	path := filepath.Join(cp.Dir, name+".kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return "", fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return path, nil
}
