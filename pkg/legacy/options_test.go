package legacy

import (
	"testing"

	"github.com/spf13/pflag"
)

func TestOptionsFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     Options
		parseErr bool
	}{
		{"defaults", nil, Options{Auth: AuthDelegated}, false},
		{"listener", []string{"--legacy-listen-address=:8081"}, Options{ListenAddress: ":8081", Auth: AuthDelegated}, false},
		{"none", []string{"--legacy-auth=none"}, Options{Auth: AuthNone}, false},
		{"delegated", []string{"--legacy-auth", "delegated"}, Options{Auth: AuthDelegated}, false},
		{"unknown mode", []string{"--legacy-auth=anonymous"}, Options{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOptions()
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			o.AddFlags(fs)
			err := fs.Parse(tt.args)
			if gotErr := err != nil; gotErr != tt.parseErr {
				t.Fatalf("Parse error = %v, want error %v", err, tt.parseErr)
			}
			if tt.parseErr {
				return
			}
			if *o != tt.want {
				t.Errorf("options = %+v, want %+v", *o, tt.want)
			}
			if errs := o.Validate(); len(errs) != 0 {
				t.Errorf("Validate() = %v", errs)
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name     string
		opts     *Options
		wantErrs int
	}{
		{"nil", nil, 0},
		{"off", &Options{Auth: AuthDelegated}, 0},
		{"port only", &Options{ListenAddress: ":8081", Auth: AuthNone}, 0},
		{"ip and port", &Options{ListenAddress: "0.0.0.0:8081", Auth: AuthDelegated}, 0},
		{"ipv6", &Options{ListenAddress: "[::]:8081", Auth: AuthDelegated}, 0},
		{"ephemeral port", &Options{ListenAddress: "127.0.0.1:0", Auth: AuthDelegated}, 0},
		{"no port", &Options{ListenAddress: "0.0.0.0", Auth: AuthDelegated}, 1},
		{"named port", &Options{ListenAddress: ":http", Auth: AuthDelegated}, 1},
		{"port too big", &Options{ListenAddress: ":65536", Auth: AuthDelegated}, 1},
		{"empty mode", &Options{}, 1},
		{"both bad", &Options{ListenAddress: "x", Auth: "open"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if errs := tt.opts.Validate(); len(errs) != tt.wantErrs {
				t.Errorf("Validate() = %v, want %d errors", errs, tt.wantErrs)
			}
		})
	}
}
