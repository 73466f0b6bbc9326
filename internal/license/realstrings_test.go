package license

import (
	"testing"
)

// realCase is a licence string as a real package declares it.
type realCase struct {
	declared string
	src      Source
	want     string   // SPDX expression or NOASSERTION
	cat      Category // category of want
	from     string   // where the string was seen (see testdata/README.md)
}

// realStrings are licence strings as they appear in PyPI metadata, conda repodata and
// recipes, and CRAN/Bioconductor DESCRIPTION files. testdata/README.md says how they
// were collected and which were checked against the published sources.
var realStrings = []realCase{
	// --- PyPI: the free-text License field ---------------------------------------------
	{"Apache 2.0", PyPILicense, "Apache-2.0", Permissive, "PyPI requests 2.31: License"},
	{"Apache License, Version 2.0", PyPILicense, "Apache-2.0", Permissive, "PyPI pyOpenSSL 26.x: License"},
	{"Apache License 2.0", PyPILicense, "Apache-2.0", Permissive, "PyPI boto3 1.28: License"},
	{"Apache Software License", PyPILicense, "LicenseRef-vetted-Apache-unspecified", Permissive, "PyPI regex 2023.x, espnet: License"},
	{"Apache-2.0 license", PyPILicense, "Apache-2.0", Permissive, "PyPI License field in a pip-licenses report"},
	{"Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0)", PyPILicense, "Apache-2.0", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"The Apache Software License, Version 2.0", PyPILicense, "Apache-2.0", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"Apache Software License - Version 2.0", PyPILicense, "Apache-2.0", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"Simplified BSD License,The Apache Software License, Version 2.0", PyPILicense, "BSD-2-Clause AND Apache-2.0", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"MIT", PyPILicense, "MIT", Permissive, "PyPI six 1.16, urllib3 1.26, pytz, attrs: License"},
	{"MIT License", PyPILicense, "MIT", Permissive, "PyPI simplejson 3.x, pyparsing 2.4: License"},
	{"MIT license", PyPILicense, "MIT", Permissive, "PyPI License field in a pip-licenses report"},
	{"MIT-License", PyPILicense, "MIT", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"The MIT License", PyPILicense, "MIT", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"Expat license", PyPILicense, "MIT", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"MIT no attribution", PyPILicense, "MIT-0", PublicDomain, "PyPI License field in a licence-variant list of a license checker"},
	{"MIT - copyright Edinburgh Genome Foundry", PyPILicense, NOASSERTION, Unknown, "PyPI dnachisel-style License field in a pip-licenses report"},
	{"BSD-3-Clause", PyPILicense, "BSD-3-Clause", Permissive, "PyPI Jinja2 3.1, Flask 2.3, Django 4.2: License"},
	{"BSD-2-Clause", PyPILicense, "BSD-2-Clause", Permissive, "PyPI Pygments 2.15: License"},
	{"new BSD", PyPILicense, "BSD-3-Clause", Permissive, "PyPI scikit-learn 1.x (setup.py LICENSE), MAPIE: License"},
	{"new BSD License", PyPILicense, "BSD-3-Clause", Permissive, "PyPI decorator 4.x: License"},
	{"New BSD License", PyPILicense, "BSD-3-Clause", Permissive, "PyPI awacs, re2: License"},
	{"Modified BSD License", PyPILicense, "BSD-3-Clause", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"3-Clause BSD License", PyPILicense, "BSD-3-Clause", Permissive, "PyPI protobuf 3.x-5.x: License"},
	{"3-clause BSD License", PyPILicense, "BSD-3-Clause", Permissive, "PyPI btest: License"},
	{"BSD (3 clause)", PyPILicense, "BSD-3-Clause", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"BSD 3-Clause License", PyPILicense, "BSD-3-Clause", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"3-clause BSD <http://www.opensource.org/licenses/bsd-license.php>", PyPILicense, "BSD-3-Clause", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"BSD", PyPILicense, "LicenseRef-vetted-BSD-unspecified", Permissive, "PyPI pycparser 2.21, colorama 0.4: License"},
	{"BSD License", PyPILicense, "LicenseRef-vetted-BSD-unspecified", Permissive, "PyPI Markdown 3.3: License"},
	{"BSD license (see license.txt for details), Copyright (c) 2000-2018, ReportLab Inc.", PyPILicense, NOASSERTION, Unknown, "PyPI reportlab 3.5: License"},
	{"BSD or Apache License, Version 2.0", PyPILicense, "LicenseRef-vetted-BSD-unspecified OR Apache-2.0", Permissive, "PyPI cryptography 3.x: __about__.__license__"},
	{"BSD 3-Clause License or Apache License, Version 2.0", PyPILicense, "BSD-3-Clause OR Apache-2.0", Permissive, "PyPI License field in a pip-licenses report"},
	{"BSD-2-Clause or Apache-2.0", PyPILicense, "BSD-2-Clause OR Apache-2.0", Permissive, "PyPI packaging 21.x: License"},
	{"BSD, Public Domain", PyPILicense, "LicenseRef-vetted-BSD-unspecified AND LicenseRef-Public-Domain", Permissive, "PyPI pycryptodome 3.x: License"},
	{"Dual License", PyPILicense, NOASSERTION, Unknown, "PyPI python-dateutil 2.8: License (setup.cfg)"},
	{"MPLv2.0, MIT Licences", PyPILicense, "MPL-2.0 AND MIT", WeakCopyleft, "PyPI tqdm 4.x: License"},
	{"MPL-2.0", PyPILicense, "MPL-2.0", WeakCopyleft, "PyPI certifi 2023.x: License"},
	{"public domain, Python, 2-Clause BSD, GPL 3 (see COPYING.txt)", PyPILicense, NOASSERTION, Unknown, "PyPI docutils 0.13-0.19: License"},
	{"LGPL with exceptions", PyPILicense, "LicenseRef-vetted-LGPL-unspecified", WeakCopyleft, "PyPI psycopg2 2.9: License"},
	{"LGPL", PyPILicense, "LicenseRef-vetted-LGPL-unspecified", WeakCopyleft, "PyPI paramiko 2.x, chardet 4: License"},
	{"LGPL v2", PyPILicense, "LGPL-2.0-only", WeakCopyleft, "PyPI License field in a licence-variant list of a license checker"},
	{"GPL v2", PyPILicense, "GPL-2.0-only", StrongCopyleft, "PyPI License field in a licence-variant list of a license checker"},
	{"GPL version 2", PyPILicense, "GPL-2.0-only", StrongCopyleft, "PyPI License field in a licence-variant list of a license checker"},
	{"GPLv3", PyPILicense, "GPL-3.0-only", StrongCopyleft, "PyPI License field in a pip-licenses report"},
	{"GPL v3", PyPILicense, "GPL-3.0-only", StrongCopyleft, "PyPI PyQt5 5.15: License"},
	{"GPLv3+", PyPILicense, "GPL-3.0-or-later", StrongCopyleft, "PyPI License field (issue 6's list of variants)"},
	{"GPLv2+", PyPILicense, "GPL-2.0-or-later", StrongCopyleft, "PyPI License field (Fedora-style short name)"},
	{"LGPL-2.1-or-later", PyPILicense, "LGPL-2.1-or-later", WeakCopyleft, "PyPI License field (issue 6's list of variants)"},
	{"GPL", PyPILicense, "LicenseRef-vetted-GPL-unspecified", StrongCopyleft, "PyPI License field of many GPL projects"},
	{"AGPLv3", PyPILicense, "AGPL-3.0-only", NetworkCopyleft, "PyPI License field (Fedora-style short name)"},
	{"PSF", PyPILicense, "PSF-2.0", Permissive, "PyPI matplotlib 3.x: License"},
	{"PSF License", PyPILicense, "PSF-2.0", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"PSFL", PyPILicense, "PSF-2.0", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"Python Software Foundation License", PyPILicense, "PSF-2.0", Permissive, "PyPI typing_extensions 4.x (classifier name as License)"},
	{"PSF or ZPL", PyPILicense, NOASSERTION, Unknown, "PyPI License field in a licence-variant list of a license checker (ZPL has no version)"},
	{"HPND", PyPILicense, "HPND", Permissive, "PyPI Pillow 9.x/10.x: License"},
	{"ISC license", PyPILicense, "ISC", Permissive, "PyPI License field in a licence-variant list of a license checker"},
	{"Public domain", PyPILicense, "LicenseRef-Public-Domain", PublicDomain, "PyPI pycrypto 2.6: License"},
	{"Public Domain", PyPILicense, "LicenseRef-Public-Domain", PublicDomain, "PyPI License field (issue 6's list of variants)"},
	{"UNKNOWN", PyPILicense, NOASSERTION, Unknown, "PyPI: setuptools' placeholder in metadata 1.x/2.x"},
	{"ZPL 2.1", PyPILicense, "ZPL-2.1", Permissive, "PyPI zope.interface 5.x: License"},
	{"Copyright (c) 2005-2023, NumPy Developers.\nAll rights reserved.\n\nRedistribution and use in source and binary forms, with or without\nmodification, are permitted provided that the following conditions are\nmet:", PyPILicense, NOASSERTION, Unknown, "PyPI numpy 1.26: License holds LICENSE.txt"},
	{"BSD 3-Clause License\n\nCopyright (c) 2008-2011, AQR Capital Management, LLC, Lambda Foundry, Inc. and PyData Development Team\nAll rights reserved.", PyPILicense, NOASSERTION, Unknown, "PyPI pandas 2.x: License holds LICENSE"},
	{"License :: OSI Approved :: MIT License", PyPILicense, "MIT", Permissive, "PyPI License field holding a classifier (seen in pip-licenses reports)"},

	// --- PyPI: License-Expression (PEP 639) ---------------------------------------------
	{"MIT", PyPIExpression, "MIT", Permissive, "PyPI urllib3 2.x: License-Expression"},
	{"PSF-2.0", PyPIExpression, "PSF-2.0", Permissive, "PyPI typing_extensions 4.13: License-Expression"},
	{"Apache-2.0 OR BSD-3-Clause", PyPIExpression, "Apache-2.0 OR BSD-3-Clause", Permissive, "PyPI cryptography 44: License-Expression"},
	{"BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0", PyPIExpression, "BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0", Permissive, "PyPI numpy 2.3: License-Expression"},
	{"MIT-CMU", PyPIExpression, "MIT-CMU", Permissive, "PyPI Pillow 11: License-Expression"},
	{"MIT AND (Apache-2.0 OR BSD-2-clause)", PyPIExpression, "MIT AND (Apache-2.0 OR BSD-2-Clause)", Permissive, "PEP 639, License-Expression examples"},
	{"MIT OR GPL-2.0-or-later OR (FSFUL AND BSD-2-Clause)", PyPIExpression, "MIT OR GPL-2.0-or-later OR (FSFUL AND BSD-2-Clause)", Permissive, "PEP 639, License-Expression examples"},
	{"GPL-3.0-only WITH Classpath-Exception-2.0 OR BSD-3-Clause", PyPIExpression, "GPL-3.0-only WITH Classpath-exception-2.0 OR BSD-3-Clause", Permissive, "PEP 639, License-Expression examples"},
	{"LicenseRef-Special-License OR CC0-1.0 OR Unlicense", PyPIExpression, "LicenseRef-Special-License OR CC0-1.0 OR Unlicense", PublicDomain, "PEP 639, License-Expression examples"},
	{"LicenseRef-Proprietary", PyPIExpression, "LicenseRef-Proprietary", Proprietary, "PEP 639, License-Expression examples"},
	{"GPL-2.0+", PyPIExpression, "GPL-2.0-or-later", StrongCopyleft, "deprecated SPDX id in License-Expression (PEP 639 requires a current id)"},

	// --- PyPI: trove classifiers ---------------------------------------------------------
	{"License :: OSI Approved :: MIT License", PyPIClassifier, "MIT", Permissive, "PyPI six, attrs, PyPA sampleproject: Classifier"},
	{"Programming Language :: Python :: 3\nLicense :: OSI Approved :: MIT License\nOperating System :: OS Independent", PyPIClassifier, "MIT", Permissive, "Python Packaging User Guide tutorial classifiers"},
	{"License :: OSI Approved :: BSD License", PyPIClassifier, "LicenseRef-vetted-BSD-unspecified", Permissive, "PyPI Jinja2, numpy, pandas: Classifier"},
	{"License :: OSI Approved :: Apache Software License", PyPIClassifier, "LicenseRef-vetted-Apache-unspecified", Permissive, "PyPI requests, pyOpenSSL: Classifier"},
	{"License :: OSI Approved :: Apache Software License\nLicense :: OSI Approved :: BSD License", PyPIClassifier, "LicenseRef-vetted-Apache-unspecified AND LicenseRef-vetted-BSD-unspecified", Permissive, "PyPI cryptography 3.x, packaging 21: Classifier"},
	{"License :: OSI Approved :: BSD License\nLicense :: OSI Approved :: Apache Software License", PyPIClassifier, "LicenseRef-vetted-BSD-unspecified AND LicenseRef-vetted-Apache-unspecified", Permissive, "PyPI python-dateutil 2.8: Classifier"},
	{"License :: OSI Approved :: GNU General Public License v3 (GPLv3)", PyPIClassifier, "LicenseRef-vetted-GPL-unspecified", StrongCopyleft, "PyPI PyQt5: Classifier"},
	{"License :: OSI Approved :: GNU General Public License v2 (GPLv2)", PyPIClassifier, "LicenseRef-vetted-GPL-unspecified", StrongCopyleft, "PyPI mysqlclient: Classifier"},
	{"License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)", PyPIClassifier, "GPL-2.0-or-later", StrongCopyleft, "PyPI Classifier list"},
	{"License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)", PyPIClassifier, "GPL-3.0-or-later", StrongCopyleft, "PyPI Classifier list"},
	{"License :: OSI Approved :: GNU General Public License (GPL)", PyPIClassifier, "LicenseRef-vetted-GPL-unspecified", StrongCopyleft, "PyPI Classifier list"},
	{"License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)", PyPIClassifier, "LicenseRef-vetted-LGPL-unspecified", WeakCopyleft, "PyPI psycopg2-binary 2.9: Classifier"},
	{"License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)", PyPIClassifier, "LicenseRef-vetted-LGPL-unspecified", WeakCopyleft, "PyPI Classifier list (PEP 639: ambiguous 2.0/2.1)"},
	{"License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)", PyPIClassifier, "LGPL-3.0-or-later", WeakCopyleft, "PyPI Classifier list"},
	{"License :: OSI Approved :: GNU Affero General Public License v3", PyPIClassifier, "LicenseRef-vetted-AGPL-unspecified", NetworkCopyleft, "PyPI Classifier list"},
	{"License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)", PyPIClassifier, "AGPL-3.0-or-later", NetworkCopyleft, "PyPI Classifier list"},
	{"License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", PyPIClassifier, "MPL-2.0", WeakCopyleft, "PyPI certifi: Classifier"},
	{"License :: OSI Approved :: Python Software Foundation License", PyPIClassifier, "PSF-2.0", Permissive, "PyPI typing_extensions, matplotlib: Classifier"},
	{"License :: OSI Approved :: Historical Permission Notice and Disclaimer (HPND)", PyPIClassifier, "HPND", Permissive, "PyPI Pillow: Classifier"},
	{"License :: OSI Approved :: ISC License (ISCL)", PyPIClassifier, "ISC", Permissive, "PyPI Classifier list"},
	{"License :: OSI Approved :: The Unlicense (Unlicense)", PyPIClassifier, "Unlicense", PublicDomain, "PyPI Classifier list"},
	{"License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", PyPIClassifier, "CC0-1.0", PublicDomain, "PyPI Classifier list"},
	{"License :: Public Domain", PyPIClassifier, "LicenseRef-Public-Domain", PublicDomain, "PyPI pycrypto, docutils: Classifier (PEP 639 mapping)"},
	{"License :: Other/Proprietary License", PyPIClassifier, "LicenseRef-Proprietary", Proprietary, "PyPI Classifier list (PEP 639 mapping)"},
	{"License :: Free for non-commercial use", PyPIClassifier, "LicenseRef-Proprietary", Proprietary, "PyPI Classifier list (PEP 639 mapping)"},
	{"License :: Freely Distributable", PyPIClassifier, NOASSERTION, Unknown, "PyPI Classifier list (PEP 639: ambiguous)"},
	{"License :: OSI Approved", PyPIClassifier, NOASSERTION, Unknown, "PyPI Classifier list (PEP 639: no licence)"},
	{"License :: OSI Approved\nLicense :: OSI Approved :: MIT License", PyPIClassifier, "MIT", Permissive, "PyPI: parent classifier next to its child"},
	{"License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)", PyPIClassifier, "EPL-2.0", WeakCopyleft, "PyPI Classifier list"},
	{"License :: OSI Approved :: zlib/libpng License", PyPIClassifier, "Zlib", Permissive, "PyPI Classifier list"},
	{"License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)", PyPIClassifier, "BSL-1.0", Permissive, "PyPI Classifier list"},
	{"License :: OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)", PyPIClassifier, "EUPL-1.2", NetworkCopyleft, "PyPI Classifier list"},

	// --- conda: conda-forge recipes (about.license) and repodata "license" ---------------
	{"BSD-3-Clause", CondaLicense, "BSD-3-Clause", Permissive, "conda-forge numpy, scipy, pandas: license"},
	{"Python-2.0", CondaLicense, "Python-2.0", Permissive, "conda-forge python: license"},
	{"Apache-2.0", CondaLicense, "Apache-2.0", Permissive, "conda-forge openssl 3.x: license"},
	{"Zlib", CondaLicense, "Zlib", Permissive, "conda-forge zlib: license"},
	{"curl", CondaLicense, "curl", Permissive, "conda-forge libcurl: license"},
	{"MIT", CondaLicense, "MIT", Permissive, "conda-forge libxml2, libffi: license"},
	{"Unlicense", CondaLicense, "Unlicense", PublicDomain, "conda-forge sqlite: license"},
	{"GPL-3.0-only", CondaLicense, "GPL-3.0-only", StrongCopyleft, "conda-forge readline: license"},
	{"GPL-3.0-only WITH GCC-exception-3.1", CondaLicense, "GPL-3.0-only WITH GCC-exception-3.1", WeakCopyleft, "conda-forge libgcc-ng, libstdcxx-ng: license"},
	{"bzip2-1.0.6", CondaLicense, "bzip2-1.0.6", Permissive, "conda-forge bzip2: license"},
	{"TCL", CondaLicense, "TCL", Permissive, "conda-forge tk: license"},
	{"GPL-2.0-only OR FTL", CondaLicense, "GPL-2.0-only OR FTL", Permissive, "conda-forge freetype: license"},
	{"zlib-acknowledgement", CondaLicense, "zlib-acknowledgement", Permissive, "conda-forge libpng: license"},
	{"GPL-2.0-or-later", CondaLicense, "GPL-2.0-or-later", StrongCopyleft, "conda-forge r-base: license"},
	{"LicenseRef-IntelSimplifiedSoftwareOct2022", CondaLicense, "LicenseRef-IntelSimplifiedSoftwareOct2022", Unknown, "conda-forge mkl 2023: license"},
	{"BSD-3-Clause WITH PCRE2-exception", CondaLicense, "BSD-3-Clause WITH PCRE2-exception", Permissive, "conda-forge pcre2: license"},
	{"PSF-2.0", CondaLicense, "PSF-2.0", Permissive, "conda-forge matplotlib: license"},
	{"MPL-2.0", CondaLicense, "MPL-2.0", WeakCopyleft, "conda-forge certifi, ca-certificates: license"},
	{"LGPL-2.1-or-later", CondaLicense, "LGPL-2.1-or-later", WeakCopyleft, "conda-forge recipes (glib-style): license"},
	{"LGPL-3.0-only", CondaLicense, "LGPL-3.0-only", WeakCopyleft, "conda-forge qt-main: license"},
	{"BSL-1.0", CondaLicense, "BSL-1.0", Permissive, "conda-forge boost: license"},
	{"PostgreSQL", CondaLicense, "PostgreSQL", Permissive, "conda-forge postgresql, libpq: license"},
	{"BSD 3-Clause", CondaLicense, "BSD-3-Clause", Permissive, "anaconda defaults numpy, pandas, conda: repodata license"},
	{"Apache 2.0", CondaLicense, "Apache-2.0", Permissive, "anaconda defaults requests: repodata license"},
	{"PSF", CondaLicense, "PSF-2.0", Permissive, "anaconda defaults python 3.x: repodata license"},
	{"OpenSSL", CondaLicense, "OpenSSL", Permissive, "anaconda defaults openssl 1.1.1: repodata license"},
	{"zlib", CondaLicense, "Zlib", Permissive, "anaconda defaults zlib: repodata license"},
	{"Public-Domain (http://www.sqlite.org/copyright.html)", CondaLicense, "LicenseRef-Public-Domain", PublicDomain, "anaconda defaults sqlite: repodata license"},
	{"Free software (MIT-like)", CondaLicense, NOASSERTION, Unknown, "anaconda defaults ncurses: repodata license"},
	{"Tcl/Tk", CondaLicense, "TCL", Permissive, "anaconda defaults tk: repodata license"},
	{"GPL-3.0", CondaLicense, "GPL-3.0-only", StrongCopyleft, "anaconda defaults readline: repodata license (deprecated id)"},
	{"ISC", CondaLicense, "ISC", Permissive, "anaconda defaults certifi (older): repodata license"},
	{"BSD", CondaLicense, "LicenseRef-vetted-BSD-unspecified", Permissive, "older conda-forge recipes (license: BSD, license_family: BSD)"},
	{"GPL-2.0-or-later AND LGPL-2.1-or-later", CondaLicense, "GPL-2.0-or-later AND LGPL-2.1-or-later", StrongCopyleft, "conda-forge recipes combining tool and library licences"},

	// --- conda: license_family -----------------------------------------------------------
	{"BSD", CondaLicenseFamily, "LicenseRef-vetted-BSD-unspecified", Permissive, "conda license_family (conda-build allowed values)"},
	{"MIT", CondaLicenseFamily, "LicenseRef-vetted-MIT-unspecified", Permissive, "conda license_family"},
	{"APACHE", CondaLicenseFamily, "LicenseRef-vetted-Apache-unspecified", Permissive, "conda license_family"},
	{"PSF", CondaLicenseFamily, "LicenseRef-vetted-PSF-unspecified", Permissive, "conda license_family"},
	{"GPL", CondaLicenseFamily, "LicenseRef-vetted-GPL-unspecified", StrongCopyleft, "conda license_family"},
	{"GPL2", CondaLicenseFamily, "LicenseRef-vetted-GPL-unspecified", StrongCopyleft, "conda license_family"},
	{"GPL3", CondaLicenseFamily, "LicenseRef-vetted-GPL-unspecified", StrongCopyleft, "conda license_family"},
	{"LGPL", CondaLicenseFamily, "LicenseRef-vetted-LGPL-unspecified", WeakCopyleft, "conda license_family"},
	{"AGPL", CondaLicenseFamily, "LicenseRef-vetted-AGPL-unspecified", NetworkCopyleft, "conda license_family"},
	{"MOZILLA", CondaLicenseFamily, "LicenseRef-vetted-MPL-unspecified", WeakCopyleft, "conda license_family"},
	{"PUBLIC-DOMAIN", CondaLicenseFamily, "LicenseRef-Public-Domain", PublicDomain, "conda license_family"},
	{"PROPRIETARY", CondaLicenseFamily, "LicenseRef-Proprietary", Proprietary, "conda license_family"},
	{"CC", CondaLicenseFamily, NOASSERTION, Unknown, "conda license_family"},
	{"OTHER", CondaLicenseFamily, NOASSERTION, Unknown, "conda license_family"},
	{"NONE", CondaLicenseFamily, NOASSERTION, Unknown, "conda license_family"},

	// --- CRAN and Bioconductor: DESCRIPTION License --------------------------------------
	{"MIT + file LICENSE", CRANLicense, "MIT", Permissive, "CRAN ggplot2 3.4, dplyr, jsonlite, rlang: License"},
	{"MIT + file LICENCE", CRANLicense, "MIT", Permissive, "CRAN: British spelling accepted by R's licence check"},
	{"GPL (>= 2)", CRANLicense, "GPL-2.0-or-later", StrongCopyleft, "CRAN Rcpp, lattice, mgcv, igraph: License"},
	{"GPL (>=2)", CRANLicense, "GPL-2.0-or-later", StrongCopyleft, "Bioconductor limma, edgeR: License"},
	{"GPL (>= 2.0)", CRANLicense, "GPL-2.0-or-later", StrongCopyleft, "CRAN License field (version with .0)"},
	{"GPL (>= 3)", CRANLicense, "GPL-3.0-or-later", StrongCopyleft, "CRAN raster, terra: License"},
	{"GPL-2 | GPL-3", CRANLicense, "GPL-2.0-only OR GPL-3.0-only", StrongCopyleft, "CRAN MASS, zoo, ape, e1071: License"},
	{"GPL-2", CRANLicense, "GPL-2.0-only", StrongCopyleft, "CRAN glmnet 4.x: License"},
	{"GPL-3", CRANLicense, "GPL-3.0-only", StrongCopyleft, "CRAN rmarkdown, leaflet, forecast: License"},
	{"GPL", CRANLicense, "GPL-2.0-or-later", StrongCopyleft, "CRAN knitr, codetools, highr: License"},
	{"GPL-3 | file LICENSE", CRANLicense, "GPL-3.0-only OR LicenseRef-vetted-file-LICENSE", StrongCopyleft, "CRAN shiny 1.7: License"},
	{"GPL (>= 2) | file LICENCE", CRANLicense, "GPL-2.0-or-later OR LicenseRef-vetted-file-LICENSE", StrongCopyleft, "CRAN Matrix 1.6: License"},
	{"GPL-2 | file LICENSE", CRANLicense, "GPL-2.0-only OR LicenseRef-vetted-file-LICENSE", StrongCopyleft, "CRAN License field"},
	{"GPL-3 + file LICENSE", CRANLicense, "GPL-3.0-only AND LicenseRef-vetted-file-LICENSE", Unknown, "CRAN License field: GPL with additional terms in LICENSE"},
	{"file LICENSE", CRANLicense, NOASSERTION, Unknown, "CRAN stringi: License"},
	{"MPL-2.0 | file LICENSE", CRANLicense, "MPL-2.0 OR LicenseRef-vetted-file-LICENSE", WeakCopyleft, "CRAN data.table 1.14: License"},
	{"LGPL (>= 2)", CRANLicense, "LGPL-2.0-or-later", WeakCopyleft, "CRAN survival 3.5: License"},
	{"LGPL (>= 2.1)", CRANLicense, "LGPL-2.1-or-later", WeakCopyleft, "CRAN RSQLite, DBI: License"},
	{"LGPL (>= 3)", CRANLicense, "LGPL-3.0-or-later", WeakCopyleft, "Bioconductor DESeq2: License"},
	{"LGPL-2.1", CRANLicense, "LGPL-2.1-only", WeakCopyleft, "R licence db standard short spec"},
	{"LGPL-3", CRANLicense, "LGPL-3.0-only", WeakCopyleft, "R licence db standard short spec"},
	{"LGPL (>= 2.0, < 3) | Mozilla Public License", CRANLicense, "LGPL-2.0-only OR LGPL-2.1-only OR LicenseRef-vetted-MPL-unspecified", WeakCopyleft, "Writing R Extensions, section Licensing: example"},
	{"AGPL-3", CRANLicense, "AGPL-3.0-only", NetworkCopyleft, "R licence db standard short spec"},
	{"AGPL (>= 3)", CRANLicense, "AGPL-3.0-or-later", NetworkCopyleft, "CRAN License field"},
	{"Artistic-2.0", CRANLicense, "Artistic-2.0", Permissive, "Bioconductor Biobase, BiocGenerics, IRanges: License"},
	{"Artistic License 2.0", CRANLicense, "Artistic-2.0", Permissive, "R licence db name with version"},
	{"BSL-1.0", CRANLicense, "BSL-1.0", Permissive, "CRAN BH: License"},
	{"BSD_3_clause + file LICENSE", CRANLicense, "BSD-3-Clause", Permissive, "CRAN yaml, XML, RCurl: License"},
	{"BSD_2_clause + file LICENSE", CRANLicense, "BSD-2-Clause", Permissive, "R licence db template"},
	{"GPL-2 | MIT + file LICENSE", CRANLicense, "GPL-2.0-only OR MIT", Permissive, "CRAN sf 1.0: License"},
	{"Apache License (== 2.0) | file LICENSE", CRANLicense, "Apache-2.0 OR LicenseRef-vetted-file-LICENSE", Permissive, "CRAN xgboost, utf8: License"},
	{"Apache License (>= 2.0)", CRANLicense, "Apache-2.0", Permissive, "CRAN arrow: License"},
	{"Apache License 2.0", CRANLicense, "Apache-2.0", Permissive, "CRAN RColorBrewer: License"},
	{"Apache License", CRANLicense, "Apache-1.1 OR Apache-2.0", Permissive, "R licence db name without version"},
	{"Unlimited", CRANLicense, "LicenseRef-vetted-Unlimited", PublicDomain, "CRAN KernSmooth, boot: License"},
	{"CC0", CRANLicense, "CC0-1.0", PublicDomain, "CRAN gapminder, palmerpenguins, nycflights13: License"},
	{"CC BY 4.0", CRANLicense, "CC-BY-4.0", Permissive, "R licence db standard spec"},
	{"CC BY-SA 4.0", CRANLicense, "CC-BY-SA-4.0", StrongCopyleft, "R licence db standard spec"},
	{"CC BY-NC-SA 4.0", CRANLicense, "CC-BY-NC-SA-4.0", Proprietary, "R licence db standard spec"},
	{"CeCILL", CRANLicense, "CECILL-2.0", StrongCopyleft, "R licence db (CeCILL version 2)"},
	{"Lucent Public License", CRANLicense, "LPL-1.02", WeakCopyleft, "R licence db"},
	{"GPL version 2 or newer", CRANLicense, "GPL-2.0-or-later", StrongCopyleft, "old CRAN License field standardised by tools:::analyze_license"},
	{"GNU GPL (version 2 or later)", CRANLicense, "GPL-2.0-or-later", StrongCopyleft, "old CRAN License field standardised by tools:::analyze_license"},
}

func TestRealLicenseStrings(t *testing.T) {
	if len(realStrings) < 150 {
		t.Fatalf("only %d real licence strings; the issue asks for at least 150", len(realStrings))
	}
	n := New(mustDefault(t))
	for _, c := range realStrings {
		t.Run(c.src.String()+"/"+c.declared, func(t *testing.T) {
			r := n.Normalize(c.declared, c.src)
			if r.Expression != c.want || r.Category != c.cat {
				t.Errorf("%s %q (%s)\n got %s [%s] (%s)\nwant %s [%s]", c.src, c.declared, c.from, r.Expression, r.Category, r.Reason, c.want, c.cat)
			}
			if r.Declared != c.declared {
				t.Errorf("Declared = %q, want the input verbatim", r.Declared)
			}
			if r.Parsed != (c.want != NOASSERTION) {
				t.Errorf("Parsed = %v for %s", r.Parsed, r.Expression)
			}
			if r.Reason == "" {
				t.Errorf("no Reason for %q", c.declared)
			}
		})
	}
}

func mustDefault(t testing.TB) *Table {
	t.Helper()
	tb, err := DefaultTable()
	if err != nil {
		t.Fatal(err)
	}
	return tb
}
