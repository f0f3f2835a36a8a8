"""The CloudFormation template SAM makes of a SAM template: JSON in on stdin, JSON out on stdout.

Run with the SAM CLI's Python (`.venv-sam`, where `samtranslator` lives: its pins conflict with ours).
Usage: .venv-sam/bin/python local/iam/translate.py eu-west-3 < template.json
"""

import json
import sys

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

region = sys.argv[1]
translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
# Managed policies named in a template would be looked up in IAM: none are used by name here.
json.dump(translator.translate(json.load(sys.stdin), parameter_values={}, get_managed_policy_map=dict), sys.stdout)
