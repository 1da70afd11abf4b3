/*
Copyright The EdgeWatcher Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// sharedCert keeps one self-signed serving certificate for every replica in a Secret, so
// that the APIService's caBundle verifies whichever replica kube-apiserver reaches.
type sharedCert struct {
	client     kubernetes.Interface
	namespace  string
	name       string
	certFile   string
	keyFile    string
	serviceDNS string
}

// fetch writes the Secret's pair to the cert files when it exists and is fresh, and reports
// whether it did.
func (s *sharedCert) fetch(ctx context.Context) (*corev1.Secret, bool, error) {
	secret, err := s.client.CoreV1().Secrets(s.namespace).Get(ctx, s.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading serving certificate secret %s/%s: %w", s.namespace, s.name, err)
	}
	cert, key := secret.Data[corev1.TLSCertKey], secret.Data[corev1.TLSPrivateKeyKey]
	if reason := staleReason(cert, s.serviceDNS); reason != "" || len(key) == 0 {
		klog.InfoS("Shared serving certificate will be replaced", "secret", klog.KObj(secret), "reason", reason)
		return secret, false, nil
	}
	return secret, true, s.write(cert, key)
}

func (s *sharedCert) write(cert, key []byte) error {
	if err := os.MkdirAll(filepath.Dir(s.certFile), 0o700); err != nil {
		return err
	}
	if old, err := os.ReadFile(s.certFile); err == nil && bytes.Equal(old, cert) {
		return nil
	}
	if err := os.WriteFile(s.keyFile, key, 0o600); err != nil {
		return err
	}
	return os.WriteFile(s.certFile, cert, 0o644)
}

// publish stores the locally generated pair in the Secret, replacing stale (the version read
// before, or nil). When another replica published first, its pair wins and is written locally.
func (s *sharedCert) publish(ctx context.Context, stale *corev1.Secret) error {
	cert, err := os.ReadFile(s.certFile)
	if err != nil {
		return err
	}
	key, err := os.ReadFile(s.keyFile)
	if err != nil {
		return err
	}
	data := map[string][]byte{corev1.TLSCertKey: cert, corev1.TLSPrivateKeyKey: key}
	secrets := s.client.CoreV1().Secrets(s.namespace)
	if stale == nil {
		_, err = secrets.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: s.name, Namespace: s.namespace, Labels: map[string]string{"app.kubernetes.io/name": "edgewatcher"}},
			Type:       corev1.SecretTypeTLS,
			Data:       data,
		}, metav1.CreateOptions{})
	} else {
		next := stale.DeepCopy()
		next.Data = data
		_, err = secrets.Update(ctx, next, metav1.UpdateOptions{})
	}
	if apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) {
		klog.InfoS("Another replica published the serving certificate first; using it", "secret", klog.KRef(s.namespace, s.name))
		_, ok, ferr := s.fetch(ctx)
		if ferr == nil && !ok {
			ferr = fmt.Errorf("serving certificate secret %s/%s changed but is not usable", s.namespace, s.name)
		}
		return ferr
	}
	if err != nil {
		return fmt.Errorf("publishing serving certificate to secret %s/%s: %w", s.namespace, s.name, err)
	}
	klog.InfoS("Published the shared self-signed serving certificate", "secret", klog.KRef(s.namespace, s.name))
	return nil
}

// sharedCertTimeout bounds the Secret round trips at start-up.
const sharedCertTimeout = 30 * time.Second
