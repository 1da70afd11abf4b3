package edgenode

import (
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/edgewatcher/edgewatcher/apis/kubeedge"
	"github.com/edgewatcher/edgewatcher/pkg/join"
	"github.com/edgewatcher/edgewatcher/pkg/reservation"
)

// joinError maps a join flow error to an API status: an invalid name or address is 422 on
// the field at fault, a value in use is 409 naming the holder, a broken or missing KubeEdge
// object is 503 naming it, and a bad request field is 400.
func joinError(name string, ipPath *field.Path, err error) error {
	var (
		fe          *join.FieldError
		unavailable *join.Unavailable
		invalid     *join.InvalidRequest
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		if fe.Reason == join.ReasonInUse {
			return apierrors.NewConflict(kubeedge.Resource("edgenodes"), name, errors.New(fe.Error()))
		}
		path := field.NewPath("metadata", "name")
		if fe.Field == join.FieldIP {
			path = ipPath
		}
		return apierrors.NewInvalid(kubeedge.Kind("EdgeNode"), name, field.ErrorList{field.Invalid(path, fe.Value, fe.Detail)})
	case errors.As(err, &unavailable):
		return apierrors.NewServiceUnavailable(unavailable.Error())
	case errors.As(err, &invalid):
		return apierrors.NewBadRequest(invalid.Error())
	case errors.Is(err, reservation.ErrContended):
		return apierrors.NewConflict(kubeedge.Resource("edgenodes"), name, err)
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return err
	}
	return apierrors.NewInternalError(err)
}
