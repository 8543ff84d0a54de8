"""Pure rules of dropout control: no Flask, Dash or SQL here."""
