package v1alpha1

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
)

func addFieldLabelConversionFuncs(scheme *runtime.Scheme) error {
	return scheme.AddFieldLabelConversionFunc(SchemeGroupVersion.WithKind("EdgeNode"),
		func(label, value string) (string, string, error) {
			if kubeedge.IsSelectableField(label) {
				return label, value, nil
			}
			return "", "", fmt.Errorf("field label %q not supported for edgenodes: supported labels are %s",
				label, strings.Join(kubeedge.SelectableFieldLabels, ", "))
		})
}
