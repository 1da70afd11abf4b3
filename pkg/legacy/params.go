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

package legacy

import (
	"net/http"
	"net/url"
	"strconv"
)

// parseRequest reads the query of a join request. The node name must be present exactly once and
// non-empty; so must the node IP unless ipOptional, where it may be absent or empty. Their syntax
// is the Joiner's business. add_default_taint, when present, must be a strconv.ParseBool boolean
// given once; version, runtime and image-repository, when present and non-empty, must be given once.
// Unknown parameters are ignored.
func parseRequest(query url.Values, ipOptional bool) (Request, *failure) {
	name, problem := single(query, ParamNodeName)
	if problem != "" {
		return Request{}, &failure{code: http.StatusBadRequest, message: invalidNameMessage(name, problem)}
	}
	ip, problem := single(query, ParamNodeIP)
	if problem != "" && (!ipOptional || len(query[ParamNodeIP]) > 1) {
		return Request{}, &failure{code: http.StatusBadRequest, message: invalidIPMessage(ip, problem)}
	}
	req := Request{NodeName: name, NodeIP: ip}
	for _, opt := range []struct {
		key string
		to  *string
	}{{ParamVersion, &req.Version}, {ParamRuntime, &req.Runtime}, {ParamImageRepository, &req.ImageRepository}} {
		values := query[opt.key]
		if len(values) > 1 {
			return Request{}, &failure{code: http.StatusBadRequest, message: neutralMessage(opt.key + " must be given once")}
		}
		if len(values) == 1 {
			*opt.to = values[0]
		}
	}

	values, present := query[ParamDefaultTaint]
	if !present {
		return req, nil
	}
	if len(values) != 1 {
		return Request{}, &failure{code: http.StatusBadRequest, message: neutralMessage(ParamDefaultTaint + " must be given once")}
	}
	taint, err := strconv.ParseBool(values[0])
	if err != nil {
		return Request{}, &failure{code: http.StatusBadRequest, message: neutralMessage(
			"Invalid " + ParamDefaultTaint + " " + strconv.Quote(values[0]) + ": must be true or false")}
	}
	req.DefaultTaint = &taint
	return req, nil
}

// single returns the one value of a required parameter, or a problem description.
func single(query url.Values, key string) (value, problem string) {
	values := query[key]
	switch {
	case len(values) == 0:
		return "", key + " is required"
	case len(values) > 1:
		return "", key + " must be given once"
	case values[0] == "":
		return "", key + " is required"
	}
	return values[0], ""
}
